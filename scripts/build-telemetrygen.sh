#!/usr/bin/env bash
# Install telemetrygen (the OpenTelemetry Collector contrib's load generator), the benchmarks'
# OTLP load (B2: e2e/test/bench/b2-collector-pipeline.ts).
#
#   scripts/build-telemetrygen.sh          # install .tools/telemetrygen/<version>/telemetrygen, or skip if present
#   FORCE=1 scripts/build-telemetrygen.sh  # reinstall
#
# Pinned at v0.161.0: the Go module proxy serves cmd/telemetrygen only at v0.149.0, v0.160.0 and
# v0.161.0, not at the collector's 0.158.0 (docs/native-builds.md). It is only a client: OTLP is
# the same protocol at both versions. The last line printed is the binary's path.
set -euo pipefail

VERSION=0.161.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/.tools/telemetrygen/$VERSION"
BIN="$DIR/telemetrygen"

log() { echo "build-telemetrygen: $*" >&2; }

if [ -x "$BIN" ] && [ "${FORCE:-0}" != "1" ]; then
  log "$BIN exists; skipping (FORCE=1 to reinstall)"
  echo "$BIN"
  exit 0
fi

source "$ROOT/scripts/lib/go-env.sh"
log "go: $(go version)"
log "installing github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v$VERSION into $DIR"
t0=$(date +%s)
mkdir -p "$DIR"
GOFLAGS="-buildvcs=false" GOBIN="$DIR" go install -trimpath -ldflags "-s -w" \
  "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v$VERSION"
[ -x "$BIN" ] || { log "ERROR: go install finished but $BIN is missing"; exit 1; }
log "installed in $(( $(date +%s) - t0 ))s, size $(du -h "$BIN" | cut -f1)"
echo "$BIN"
