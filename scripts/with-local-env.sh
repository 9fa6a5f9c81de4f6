#!/usr/bin/env bash
# Runs a command with the native stack's environment (used by `npm run simulate`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
exec "$@"
