#!/usr/bin/env bash
# README command 2: every check. Installs the workspace and Debian's chromium
# (for the browser tests) where missing, then type-checks, lints, checks
# formatting, runs all unit and integration tests, builds every package and
# runs the browser tests against the demo portal.
source "$(dirname "$0")/lib.sh"

results="$ROOT/e2e-results"
mkdir -p "$results"

ensure_debian_packages chromium
install_workspace

echo "--- Type-check (yarn tsc)"
yarn tsc
echo "--- Lint (yarn lint)"
yarn lint
echo "--- Formatting (yarn prettier:check)"
yarn prettier:check
echo "--- Unit and integration tests (yarn test)"
CI=true yarn test --json --outputFile="$results/jest.json"
echo "--- Build every package (yarn build)"
yarn build
node scripts/verify-workspace.mjs
echo "--- Browser tests against the demo portal (yarn test:e2e)"
set +e
yarn test:e2e 2>&1 | tee "$results/e2e.tap"
e2e_status=${PIPESTATUS[0]}
set -e

node - "$results/jest.json" "$results/e2e.tap" <<'JS'
const fs = require('fs');
const jest = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const tap = fs.readFileSync(process.argv[3], 'utf8');
const count = name => Number((tap.match(new RegExp(`^# ${name} (\\d+)$`, 'm')) || [])[1] || 0);
// A browser test cut short by a failed start-up counts as failed.
const browserFailed = count('fail') + count('cancelled');
const passed = jest.numPassedTests + count('pass');
const failed = jest.numFailedTests + browserFailed;
console.log(`unit tests: ${jest.numPassedTests} passed, ${jest.numFailedTests} failed; browser tests: ${count('pass')} passed, ${browserFailed} failed`);
console.log(`checks: ${passed} passed, ${failed} failed`);
JS
exit "$e2e_status"
