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
