#!/usr/bin/env bash
# Validates collector/config.yaml and jaeger/config.yaml with the very binaries the native stack
# runs (built once from the pinned Go modules), with compose's environment and with the native
# defaults, so that both ways of running read a valid file.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
otelcol="$(bash scripts/build-otelcol.sh | tail -n 1)"
jaeger="$(bash scripts/build-jaeger.sh | tail -n 1)"
"$otelcol" validate --config "file:collector/config.yaml"
OTELCOL_LISTEN_HOST=0.0.0.0 JAEGER_OTLP_ENDPOINT=jaeger:4317 OTELCOL_STORAGE_DIR=/var/lib/otelcol/queue \
  "$otelcol" validate --config "file:collector/config.yaml"
"$jaeger" validate --config "file:jaeger/config.yaml"
JAEGER_LISTEN_HOST=0.0.0.0 JAEGER_OTLP_GRPC_PORT=4317 JAEGER_BADGER_DIR=/var/lib/jaeger/badger \
  "$jaeger" validate --config "file:jaeger/config.yaml"
node scripts/check-versions.mjs
echo "check-configs: collector and jaeger configs valid (native and compose environments)"
