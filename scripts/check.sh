#!/usr/bin/env bash
# README command 2: every check. Installs the workspace and, where missing,
# Debian's chromium (browser tests), prometheus, kubectl and postgresql (the
# tests run the real binaries: the history is tested on SQLite and on a real
# PostgreSQL), then type-checks, lints, checks
# formatting, runs all unit and integration tests, builds every package and
# runs the browser tests against the demo portal, then the adopter test (a
# stock create-app app wired up by the README, scripts/adopter/).
source "$(dirname "$0")/lib.sh"

results="$ROOT/e2e-results"
mkdir -p "$results"

ensure_commands chromium:chromium prometheus:prometheus promtool:prometheus kubectl:kubernetes-client
# The PostgreSQL server's initdb is not on PATH on Debian: look where the
# package puts it.
if ! command -v initdb >/dev/null 2>&1 && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  ensure_commands postgresql-server-initdb:postgresql
fi
install_workspace

echo "--- Type-check (yarn tsc)"
yarn tsc
echo "--- Lint (yarn lint)"
yarn lint
echo "--- Dependencies: none unused, none undeclared (yarn deps:check: knip, knip.jsonc)"
yarn deps:check
echo "--- Package metadata fit to publish (backstage-cli repo fix --publish --check)"
yarn backstage-cli repo fix --publish --check
echo "--- Formatting (yarn prettier:check)"
yarn prettier:check
echo "--- Unit and integration tests (yarn test)"
CI=true yarn test --json --outputFile="$results/jest.json"
# Suites named *.integration.test.ts wait on real time (a traffic shift's
# pauses): they run once, on Node 20 above; nothing in them depends on the
# Node version that the other suites do not cover.
echo "--- The same tests on Node.js 22 (from the npm package node@22), integration suites aside"
node22="$(npx -y -p node@22 node -e 'process.stdout.write(process.execPath)')"
use_native_modules_for "$node22"
trap use_host_native_modules EXIT
CI=true "$node22" "$ROOT/.yarn/releases/yarn-4.13.0.cjs" test --json --outputFile="$results/jest-node22.json" --testPathIgnorePatterns '\.integration\.test\.'
use_host_native_modules
echo "--- Build every package (yarn build)"
yarn build
node scripts/verify-workspace.mjs
echo "--- Published type declarations, type-checked as an adopter's yarn tsc:full does"
yarn tsc -p scripts/declarations --pretty false
echo "--- API reports are current (yarn build:api-reports --ci; run it without --ci to update them)"
yarn build:api-reports --ci
echo "--- Browser tests against the demo portal (yarn test:e2e)"
set +e
yarn test:e2e 2>&1 | tee "$results/e2e.tap"
e2e_status=${PIPESTATUS[0]}
set -e

echo "--- Adopter test: a stock create-app app installs us from the README (yarn test:adopter)"
set +e
yarn test:adopter
adopter_status=$?
set -e

node - "$results/jest.json" "$results/jest-node22.json" "$results/e2e.tap" "$adopter_status" <<'JS'
const fs = require('fs');
const [node20, node22] = [2, 3].map(i => JSON.parse(fs.readFileSync(process.argv[i], 'utf8')));
const jest = {
  numPassedTests: node20.numPassedTests + node22.numPassedTests,
  numFailedTests: node20.numFailedTests + node22.numFailedTests,
};
const tap = fs.readFileSync(process.argv[4], 'utf8');
const count = name => Number((tap.match(new RegExp(`^# ${name} (\\d+)$`, 'm')) || [])[1] || 0);
// A browser test cut short by a failed start-up counts as failed.
const browserFailed = count('fail') + count('cancelled');
const adopterFailed = process.argv[5] === '0' ? 0 : 1;
const passed = jest.numPassedTests + count('pass') + (1 - adopterFailed);
const failed = jest.numFailedTests + browserFailed + adopterFailed;
console.log(`unit tests (Node 20 and 22): ${jest.numPassedTests} passed, ${jest.numFailedTests} failed; browser tests: ${count('pass')} passed, ${browserFailed} failed; adopter test: ${adopterFailed ? 'failed' : 'passed'}`);
console.log(`checks: ${passed} passed, ${failed} failed`);
JS
[ "$e2e_status" -eq 0 ] && [ "$adopter_status" -eq 0 ]
