#!/usr/bin/env bash
# Build Jaeger v2 natively from its Go module, through the pinned wrapper module in
# jaeger/build-module/ (go.mod + go.sum committed).
#
#   scripts/build-jaeger.sh          # build jaeger/build/<version>/jaeger, or skip if present
#   FORCE=1 scripts/build-jaeger.sh  # rebuild even if the binary exists
#
# Why a wrapper module: `go install github.com/jaegertracing/jaeger/cmd/jaeger@v1.76.0` fails,
# because Jaeger's go.mod has a replace directive; a module of our own that requires Jaeger
# (go get -tool) builds it. Go module v1.76.0 and release v2.13.0 are the same commit, the one
# behind the image jaegertracing/jaeger:2.13.0, so <version> is the release version 2.13.0.
# The module carries no built UI: the binary serves Jaeger's placeholder page at /, the HTTP
# APIs work (see docs/native-builds.md).
# Needs only Go (>= 1.24.6) and the Go module proxy; GOMODCACHE/GOCACHE stay at Go's defaults.
# The last line printed is the binary's path.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOD_DIR="$ROOT/jaeger/build-module"

# Pinned release. Bump these together with jaeger/build-module/go.mod
# (cd jaeger/build-module && go get -tool github.com/jaegertracing/jaeger/cmd/jaeger@vX && go mod tidy).
JAEGER_MODULE=github.com/jaegertracing/jaeger
JAEGER_MODULE_VERSION=v1.76.0                              # Go module version, pinned in go.mod
JAEGER_VERSION=2.13.0                                      # release / image tag of the same commit
JAEGER_COMMIT=63b27e1810a710ac54dc4522da0538e540bdc545     # tag v1.76.0 = tag v2.13.0
JAEGER_DATE=2025-12-03T16:07:08Z                           # commit time, as the Go proxy reports it

log() { echo "build-jaeger: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

source "$ROOT/scripts/lib/go-env.sh"
# -mod=readonly: build exactly what go.mod/go.sum pin, never rewrite the committed files.
export GOFLAGS="-mod=readonly -buildvcs=false"

OUT_DIR="$ROOT/jaeger/build/$JAEGER_VERSION"
BIN="$OUT_DIR/jaeger"

if [ -x "$BIN" ] && [ "${FORCE:-0}" != "1" ]; then
  log "$BIN exists, skipping build (FORCE=1 to rebuild)"
  echo "$BIN"
  exit 0
fi

[ -f "$MOD_DIR/go.mod" ] || die "wrapper module not found: $MOD_DIR/go.mod"
log "go: $(go version)"

t0=$(date +%s)
pinned="$(cd "$MOD_DIR" && go list -m -f '{{.Version}}' "$JAEGER_MODULE")"
[ "$pinned" = "$JAEGER_MODULE_VERSION" ] ||
  die "jaeger/build-module/go.mod pins $JAEGER_MODULE $pinned, this script expects $JAEGER_MODULE_VERSION"

log "building $BIN from $JAEGER_MODULE/cmd/jaeger@$JAEGER_MODULE_VERSION (first build downloads modules and compiles for several minutes)"
mkdir -p "$OUT_DIR"
rm -f "$BIN" "$BIN.tmp"
V=github.com/jaegertracing/jaeger/internal/version
# Same flags as Jaeger's release build (scripts/makefiles/BuildBinaries.mk): CGO off, -trimpath,
# version info through -X.
( cd "$MOD_DIR" && go build -trimpath \
    -ldflags "-X $V.commitSHA=$JAEGER_COMMIT -X $V.latestVersion=v$JAEGER_VERSION -X $V.date=$JAEGER_DATE" \
    -o "$BIN.tmp" "$JAEGER_MODULE/cmd/jaeger" )
mv "$BIN.tmp" "$BIN"
elapsed=$(( $(date +%s) - t0 ))

have="$("$BIN" version 2>/dev/null | tr -d '\n' | sed -n 's/.*"gitVersion":[[:space:]]*"\([^"]*\)".*/\1/p')"
[ "$have" = "v$JAEGER_VERSION" ] || die "$BIN version reports '$have', expected v$JAEGER_VERSION"
log "jaeger $have built in $((elapsed / 60))m$(printf '%02d' $((elapsed % 60)))s ($elapsed s), size $(du -h "$BIN" | cut -f1)"
echo "$BIN"
