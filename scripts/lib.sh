# Shared by scripts/demo.sh and scripts/check.sh: the workspace's own Yarn and
# an installed workspace, on a machine that has only Node.js and npm.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

yarn() {
  node "$ROOT/.yarn/releases/yarn-4.13.0.cjs" "$@"
}

# better-sqlite3 compiles from source: point node-gyp at the local Node.js
# headers (Debian's nodejs-dev / the official tarball) so it needs no download.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

install_workspace() {
  echo "--- Installing the workspace (yarn install)"
  if [ -n "${CI:-}" ]; then
    yarn install --immutable
  else
    yarn install
  fi
}

# Makes sure commands exist, installing the Debian package that brings each
# missing one when we can (root on Debian). Arguments: command:package pairs.
ensure_commands() {
  local missing=()
  local pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "Missing packages: ${missing[*]}. Install them with your system's package manager." >&2
    return 1
  fi
  echo "--- Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u)
}

# better-sqlite3 is compiled for the Node.js that installed the workspace. For
# a test pass on another Node.js (argument: its binary), builds it for that one
# once (headers from the npm package node-<platform>-<arch>, since nodejs.org
# may be out of reach; the binary is cached under node_modules/.cache) and
# swaps it in; use_host_native_modules swaps the installed one back.
NATIVE_BINARY="$ROOT/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
use_native_modules_for() {
  local node_bin="$1" abi version target work cache
  abi="$("$node_bin" -p process.versions.modules)"
  if [ "$abi" = "$(node -p process.versions.modules)" ]; then
    return 0
  fi
  version="$("$node_bin" -p 'process.version.slice(1)')"
  target="$("$node_bin" -p 'process.platform + "-" + process.arch')"
  cache="$ROOT/node_modules/.cache/mesh-lifecycle/better_sqlite3-abi$abi.node"
  if [ ! -f "$cache" ]; then
    echo "--- Building better-sqlite3 for Node.js $version (ABI $abi)"
    work="$(mktemp -d)"
    (cd "$work" && npm pack "node-$target@$version" --silent >/dev/null && tar xzf "node-$target-$version.tgz")
    cp -r "$ROOT/node_modules/better-sqlite3" "$work/better-sqlite3"
    rm -rf "$work/better-sqlite3/build"
    # npm_config_nodedir (set above for the installing Node.js) would win
    # over --nodedir.
    if ! (cd "$work/better-sqlite3" && npm_config_nodedir="$work/package" "$ROOT/node_modules/.bin/node-gyp" rebuild --release --nodedir="$work/package" >"$work/build.log" 2>&1); then
      cat "$work/build.log" >&2
      rm -rf "$work"
      return 1
    fi
    mkdir -p "$(dirname "$cache")"
    cp "$work/better-sqlite3/build/Release/better_sqlite3.node" "$cache"
    rm -rf "$work"
  fi
  cp "$NATIVE_BINARY" "$NATIVE_BINARY.host"
  cp "$cache" "$NATIVE_BINARY"
}
use_host_native_modules() {
  if [ -f "$NATIVE_BINARY.host" ]; then
    mv "$NATIVE_BINARY.host" "$NATIVE_BINARY"
  fi
}
