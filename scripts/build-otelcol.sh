#!/usr/bin/env bash
# Build the native OpenTelemetry Collector with the OpenTelemetry Collector Builder (ocb)
# from collector/builder-config.yaml.
#
#   scripts/build-otelcol.sh          # build collector/build/<version>/otelcol-orderscope, or skip if present
#   FORCE=1 scripts/build-otelcol.sh  # rebuild even if the binary exists and the manifest is unchanged
#
# The version comes from the manifest (dist.version); the builder is installed at the same
# version into .tools/ocb/<version>/ (git-ignored). Needs only Go (>= 1.25) and the Go module
# proxy. GOMODCACHE/GOCACHE stay at Go's defaults, so a second machine run reuses them.
# The last line printed is the binary's path.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MANIFEST="$ROOT/collector/builder-config.yaml"

log() { echo "build-otelcol: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

source "$ROOT/scripts/lib/go-env.sh"
# -mod=mod: let go update the generated go.mod/go.sum; -buildvcs=false: the output folder sits
# inside this git repo, keep repo state out of the binary.
export GOFLAGS="-mod=mod -buildvcs=false"

# --- read the pinned version from the manifest ---------------------------------------------------
[ -f "$MANIFEST" ] || die "manifest not found: $MANIFEST"
VERSION="$(sed -n 's/^  version:[[:space:]]*"\{0,1\}\([0-9][0-9.]*\)"\{0,1\}[[:space:]]*$/\1/p' "$MANIFEST" | head -n1)"
NAME="$(sed -n 's/^  name:[[:space:]]*\([A-Za-z0-9._-]*\)[[:space:]]*$/\1/p' "$MANIFEST" | head -n1)"
OUTPUT_PATH="$(sed -n 's/^  output_path:[[:space:]]*\([^[:space:]#]*\).*$/\1/p' "$MANIFEST" | head -n1)"
[ -n "$VERSION" ] || die "could not read dist.version from $MANIFEST"
[ -n "$NAME" ] || die "could not read dist.name from $MANIFEST"
[ "$OUTPUT_PATH" = "./build/$VERSION" ] ||
  die "dist.output_path is '$OUTPUT_PATH', expected './build/$VERSION' (keep it keyed by dist.version)"

OUT_DIR="$ROOT/collector/build/$VERSION"
BIN="$OUT_DIR/$NAME"
BUILDER_DIR="$ROOT/.tools/ocb/$VERSION"
BUILDER="$BUILDER_DIR/builder"

# The binary is kept while the manifest it was built from is unchanged (a component added to the
# manifest rebuilds it): the manifest's hash is stored beside the binary.
MANIFEST_SUM="$(sha256sum "$MANIFEST" | cut -d' ' -f1)"
if [ -x "$BIN" ] && [ "${FORCE:-0}" != "1" ] && [ "$(cat "$BIN.manifest-sha256" 2>/dev/null)" = "$MANIFEST_SUM" ]; then
  log "$BIN exists, built from this manifest; skipping build (FORCE=1 to rebuild)"
  echo "$BIN"
  exit 0
fi

log "go: $(go version)"
log "collector version $VERSION, manifest $MANIFEST"

# --- builder --------------------------------------------------------------------------------------
if [ ! -x "$BUILDER" ]; then
  log "installing go.opentelemetry.io/collector/cmd/builder@v$VERSION into $BUILDER_DIR"
  t0=$(date +%s)
  mkdir -p "$BUILDER_DIR"
  GOBIN="$BUILDER_DIR" go install "go.opentelemetry.io/collector/cmd/builder@v$VERSION"
  log "builder installed in $(( $(date +%s) - t0 ))s"
fi

# --- build ----------------------------------------------------------------------------------------
mkdir -p "$ROOT/collector/build"
rm -f "$BIN"
log "building $BIN (first build downloads modules and compiles for several minutes)"
t0=$(date +%s)
# output_path in the manifest is relative to the working directory. The builder makes an empty
# otelcol-distribution* folder in TMPDIR on every run: give it a private TMPDIR, removed afterwards.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
( cd "$ROOT/collector" && TMPDIR="$tmp" "$BUILDER" --config=builder-config.yaml )
elapsed=$(( $(date +%s) - t0 ))
[ -x "$BIN" ] || die "builder finished but $BIN is missing"

"$BIN" --version >&2 || die "$BIN does not run"
echo "$MANIFEST_SUM" >"$BIN.manifest-sha256"
log "built in $((elapsed / 60))m$(printf '%02d' $((elapsed % 60)))s ($elapsed s), size $(du -h "$BIN" | cut -f1)"
echo "$BIN"
