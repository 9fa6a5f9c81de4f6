#!/usr/bin/env bash
# Runs a command with the project's Node 24 first on PATH (fetched from the npm registry once,
# scripts/ensure-node24.sh), whatever `node` the shell has: every npm script goes through here.
set -euo pipefail
bin="$(bash "$(dirname "${BASH_SOURCE[0]}")/ensure-node24.sh")"
PATH="$bin:$PATH" exec "$@"
