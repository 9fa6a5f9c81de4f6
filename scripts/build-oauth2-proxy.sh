#!/usr/bin/env bash
# Build oauth2-proxy natively from its Go module (its go.mod has no replace lines, so
# `go install` builds the release's dependency graph as pinned by its go.sum).
#
#   scripts/build-oauth2-proxy.sh          # oauth2-proxy/build/<version>/oauth2-proxy, or skip if present
#   FORCE=1 scripts/build-oauth2-proxy.sh  # rebuild
#
# The version is stamped in as the release build does (-X .../pkg/version.VERSION), or
# `--version` prints "undefined". The last line printed is the binary's path.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Pinned release; compose runs quay.io/oauth2-proxy/oauth2-proxy at the same tag.
O2P_MODULE=github.com/oauth2-proxy/oauth2-proxy/v7
O2P_VERSION=v7.15.6

log() { echo "build-oauth2-proxy: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

source "$ROOT/scripts/lib/go-env.sh"
export GOFLAGS="-buildvcs=false" GOWORK=off

OUT_DIR="$ROOT/oauth2-proxy/build/$O2P_VERSION"
BIN="$OUT_DIR/oauth2-proxy"
if [ -x "$BIN" ] && [ "${FORCE:-0}" != "1" ]; then
  log "$BIN exists, skipping build (FORCE=1 to rebuild)"
  echo "$BIN"
  exit 0
fi
mkdir -p "$OUT_DIR"
t0=$(date +%s)
log "building $O2P_MODULE@$O2P_VERSION (first build downloads modules and compiles for about two minutes)"
GOBIN="$OUT_DIR" go install -trimpath -ldflags "-s -w -X $O2P_MODULE/pkg/version.VERSION=$O2P_VERSION" "$O2P_MODULE@$O2P_VERSION"
have="$("$BIN" --version 2>&1 | sed -n 's/^oauth2-proxy \(v[^ ]*\) .*/\1/p')"
[ "$have" = "$O2P_VERSION" ] || die "$BIN --version reports '$have', expected $O2P_VERSION"
e=$(( $(date +%s) - t0 ))
log "oauth2-proxy $have built in $((e / 60))m$(printf '%02d' $((e % 60)))s ($e s), size $(du -h "$BIN" | cut -f1)"
echo "$BIN"
