#!/usr/bin/env bash
# README command 1: installs the workspace and starts the demo portal
# (app on http://localhost:3000, backend on http://localhost:7007).
source "$(dirname "$0")/lib.sh"
# The demo mesh runs the real Prometheus (kubectl is for looking at it).
ensure_commands prometheus:prometheus promtool:prometheus
install_workspace
echo "--- Starting the demo portal: http://localhost:3000"
exec node "$ROOT/.yarn/releases/yarn-4.13.0.cjs" start
