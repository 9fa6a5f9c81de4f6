#!/usr/bin/env bash
# scripts/gen-certs.sh [DIR] — the stack's demo CA and every component's server and client
# certificates (packages/ops/src/tls; docs/transport-security.md), into DIR (default: certs/).
# The first run makes them; every later run ROTATES them: a new CA and new certificates for every
# component (restart the stack afterwards: `npm run local:down && npm run local:up`, or
# `docker compose restart`). `npm run certs:rotate` runs this.
#
# local:up and compose's certs-init do not rotate: they call the same tool without --rotate, which
# makes the set only when it is missing, incomplete, from another CA or expiring within 30 days.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$root/certs}"
cd "$root"
PATH="$(bash scripts/ensure-node24.sh):$PATH"
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npm run -s build
if [[ -f "$dir/ca.crt" ]]; then
  node packages/ops/dist/src/tls/certs-cli.js "$dir" --rotate
else
  node packages/ops/dist/src/tls/certs-cli.js "$dir"
fi
