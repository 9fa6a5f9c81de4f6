#!/usr/bin/env bash
# npm run test:all — every test, from a fresh clone, whatever `node` the shell has (npm runs this
# with the project's Node 24 first on PATH): installs, checks, starts the native stack, runs the
# unit, component, end-to-end, fault and load tests, stops the native stack, then runs the compose test on a real
# Docker Engine (same ports). A native stack that was up before is started again at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n=== %s (%ss)\n' "$*" "$SECONDS"; }

# A stack that was up before this run is left up (local:down would stop it too).
running_before=0
for pidfile in .local/run/*.pid; do
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null && running_before=1
done

step "node $(node --version), npm $(npm --version)"
step "npm ci"
npm ci --no-audit --no-fund
step "npm run check"
npm run -s check
step "npm run local:up"
trap 'step "npm run local:down"; npm run -s local:down' EXIT
npm run -s local:up
step "npm test"
npm test
step "npm run test:e2e"
npm run -s test:e2e
step "npm run test:faults"
npm run -s test:faults
step "npm run test:load"
npm run -s test:load
step "npm run local:down"
trap - EXIT
npm run -s local:down
step "npm run test:compose"
npm run -s test:compose
if ((running_before == 1)); then
  step "npm run local:up (it was up before this run)"
  npm run -s local:up
fi
step "done"
