#!/usr/bin/env bash
# Build VictoriaLogs natively from its Go module (github.com/VictoriaMetrics/VictoriaLogs: no
# replace lines, so `go install` builds the release's dependency graph as pinned by its go.sum).
#
#   scripts/build-victorialogs.sh          # victorialogs/build/<version>/victoria-logs, or skip if present
#   FORCE=1 scripts/build-victorialogs.sh  # rebuild
#
# The version is stamped in as the release build does (-X .../lib/buildinfo.Version), or
# `-version` prints an empty line. The last line printed is the binary's path.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Pinned release; compose runs victoriametrics/victoria-logs at the same tag.
VL_MODULE=github.com/VictoriaMetrics/VictoriaLogs
VL_VERSION=v1.52.1

log() { echo "build-victorialogs: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

source "$ROOT/scripts/lib/go-env.sh"
export GOFLAGS="-buildvcs=false" GOWORK=off

OUT_DIR="$ROOT/victorialogs/build/$VL_VERSION"
BIN="$OUT_DIR/victoria-logs"
if [ -x "$BIN" ] && [ "${FORCE:-0}" != "1" ]; then
  log "$BIN exists, skipping build (FORCE=1 to rebuild)"
  echo "$BIN"
  exit 0
fi
mkdir -p "$OUT_DIR"
t0=$(date +%s)
log "building $VL_MODULE/app/victoria-logs@$VL_VERSION"
GOBIN="$OUT_DIR" go install -trimpath \
  -ldflags "-s -w -X github.com/VictoriaMetrics/VictoriaMetrics/lib/buildinfo.Version=victoria-logs-$VL_VERSION" \
  "$VL_MODULE/app/victoria-logs@$VL_VERSION"
have="$("$BIN" -version 2>&1 | head -1)"
[ "$have" = "victoria-logs-$VL_VERSION" ] || die "$BIN -version reports '$have', expected victoria-logs-$VL_VERSION"
log "victoria-logs $VL_VERSION built in $(( $(date +%s) - t0 )) s, size $(du -h "$BIN" | cut -f1)"
echo "$BIN"
