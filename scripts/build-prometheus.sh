#!/usr/bin/env bash
# Build Prometheus 3 (prometheus + promtool) natively from its Go module, through the pinned
# wrapper module in prometheus/build-module/ (go.mod + go.sum committed).
#
#   scripts/build-prometheus.sh          # build prometheus/build/<version>/{prometheus,promtool}, or skip if present
#   FORCE=1 scripts/build-prometheus.sh  # rebuild even if the binaries exist
#
# Why a wrapper module: `go install github.com/prometheus/prometheus/cmd/prometheus@v0.313.5`
# fails, because Prometheus's go.mod has a replace directive; a module of our own that requires
# Prometheus (go get -tool) and repeats its exclude/replace lines builds it. Go module v0.313.5 is
# release 3.13.5 (its VERSION file says so), so <version> is 3.13.5.
# Built with -tags remove_all_sd: of the service discoveries only file_sd and http_sd remain
# (plugins/minimum.go); kubernetes_sd_configs etc. are rejected when the config is loaded.
# The module carries no built web UI (no builtinassets): the HTTP API works, `/query` answers
# 500 (see docs/native-builds.md).
# Needs only Go (>= 1.26.0) and the Go module proxy; GOMODCACHE/GOCACHE stay at Go's defaults.
# The last line printed is the prometheus binary's path (promtool is beside it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOD_DIR="$ROOT/prometheus/build-module"

# Pinned release. Bump these together with prometheus/build-module/go.mod (copy upstream's
# exclude/replace lines, then: cd prometheus/build-module &&
# go get -tool github.com/prometheus/prometheus/cmd/prometheus@vX github.com/prometheus/prometheus/cmd/promtool@vX && go mod tidy).
PROM_MODULE=github.com/prometheus/prometheus
PROM_MODULE_VERSION=v0.313.5                               # Go module version, pinned in go.mod
PROM_VERSION=3.13.5                                        # release / image tag (VERSION file)
# The Go proxy's .info for v0.313.5 names no commit (no Origin) and GitHub is not reachable
# from here, so the revision stamped in is the module tag, not a commit hash.
PROM_REVISION=$PROM_MODULE_VERSION
PROM_DATE=20261021-10:29:46                                # commit time (proxy: 2026-10-21T10:29:46Z), promu's format
PROM_TAGS=remove_all_sd

log() { echo "build-prometheus: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

source "$ROOT/scripts/lib/go-env.sh"
# -mod=readonly: build exactly what go.mod/go.sum pin, never rewrite the committed files.
export GOFLAGS="-mod=readonly -buildvcs=false"
# Prometheus's module zip ships a go.work naming directories it does not contain; never use one.
export GOWORK=off

OUT_DIR="$ROOT/prometheus/build/$PROM_VERSION"
BIN="$OUT_DIR/prometheus"
TOOL="$OUT_DIR/promtool"

if [ -x "$BIN" ] && [ -x "$TOOL" ] && [ "${FORCE:-0}" != "1" ]; then
  log "$BIN and promtool exist, skipping build (FORCE=1 to rebuild)"
  echo "$BIN"
  exit 0
fi

[ -f "$MOD_DIR/go.mod" ] || die "wrapper module not found: $MOD_DIR/go.mod"
log "go: $(go version)"

t0=$(date +%s)
pinned="$(cd "$MOD_DIR" && go list -m -f '{{.Version}}' "$PROM_MODULE")"
[ "$pinned" = "$PROM_MODULE_VERSION" ] ||
  die "prometheus/build-module/go.mod pins $PROM_MODULE $pinned, this script expects $PROM_MODULE_VERSION"
# `go list -m` names no Dir for a module not yet in the cache (a cold machine): download it first.
(cd "$MOD_DIR" && go mod download "$PROM_MODULE") || die "could not download $PROM_MODULE@$PROM_MODULE_VERSION"
src="$(cd "$MOD_DIR" && go list -m -f '{{.Dir}}' "$PROM_MODULE")"
[ -n "$src" ] && [ "$(cat "$src/VERSION" 2>/dev/null)" = "$PROM_VERSION" ] ||
  die "$PROM_MODULE@$PROM_MODULE_VERSION: VERSION file is not $PROM_VERSION (dir: ${src:-not downloaded})"

mkdir -p "$OUT_DIR"
V=github.com/prometheus/common/version
# Same -X flags as Prometheus's release build (.promu.yml); -s -w strip like promu; CGO off
# (so the pure-Go resolver, as the release's netgo tag gives); -trimpath for reproducible output.
LDFLAGS="-s -w -X $V.Version=$PROM_VERSION -X $V.Revision=$PROM_REVISION -X $V.Branch=HEAD -X $V.BuildUser=orderscope -X $V.BuildDate=$PROM_DATE"
for name in prometheus promtool; do
  out="$OUT_DIR/$name"
  log "building $out from $PROM_MODULE/cmd/$name@$PROM_MODULE_VERSION, tags $PROM_TAGS (first build downloads modules and compiles for a few minutes)"
  t1=$(date +%s)
  rm -f "$out" "$out.tmp"
  ( cd "$MOD_DIR" && go build -trimpath -tags "$PROM_TAGS" -ldflags "$LDFLAGS" -o "$out.tmp" "$PROM_MODULE/cmd/$name" )
  mv "$out.tmp" "$out"
  have="$("$out" --version 2>&1 | sed -n "1s/^$name, version \([^ ]*\) .*/\1/p")"
  [ "$have" = "$PROM_VERSION" ] || die "$out --version reports '$have', expected $PROM_VERSION"
  e=$(( $(date +%s) - t1 ))
  log "$name $have built in $((e / 60))m$(printf '%02d' $((e % 60)))s ($e s), size $(du -h "$out" | cut -f1)"
done
elapsed=$(( $(date +%s) - t0 ))
log "prometheus + promtool $PROM_VERSION done in $((elapsed / 60))m$(printf '%02d' $((elapsed % 60)))s ($elapsed s)"
echo "$BIN"
