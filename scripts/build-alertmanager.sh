#!/usr/bin/env bash
# Build Alertmanager (alertmanager + amtool) natively from its Go module.
#
#   scripts/build-alertmanager.sh          # build alertmanager/build/<version>/{alertmanager,amtool}, or skip if present
#   FORCE=1 scripts/build-alertmanager.sh  # rebuild even if the binaries exist
#
# Why not `go install github.com/prometheus/alertmanager/cmd/alertmanager@v0.35.0`: it fails with
# `ui/web.go:31:12: pattern app/dist: no matching files found`, because ui/web.go embeds the built
# web UI (ui/app/dist) and the module zip does not carry it. A wrapper module cannot add files to
# a dependency, and `go build -overlay` refuses to replace files beneath GOMODCACHE. So the script
# builds in a scratch copy of the module source, pinned by its Go checksum (ALERTMANAGER_SUM, the
# h1: hash in sum.golang.org): it downloads the module (go checks the zip against the checksum
# database), checks the sum, copies the extracted module, re-hashes the copy (Go's dirhash h1
# algorithm), adds the committed stub pages alertmanager/ui-stub/{elm,mantine}/index.html.{gz,br}
# as ui/app/dist/ (see alertmanager/ui-stub/README.md), and builds with the module's own
# go.mod/go.sum under -mod=readonly (Alertmanager's go.mod has no replace/exclude lines, so this is
# the dependency graph of the release build).
# The stubs are served at / and /ui/; the HTTP API (/api/v2/...) works (see docs/native-builds.md).
# Needs only Go (>= 1.26.0), coreutils, gzip and the Go module proxy (Node, if present, checks the
# .br stubs); GOMODCACHE/GOCACHE stay at Go's defaults.
# The last line printed is the alertmanager binary's path (amtool is beside it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STUB_DIR="$ROOT/alertmanager/ui-stub"

# Pinned release. To bump: set the version, and ALERTMANAGER_SUM to the "Sum" that
# `go mod download -json github.com/prometheus/alertmanager@vX` prints (= the line in sum.golang.org);
# check that ui/web.go still embeds app/dist with app/dist/elm and app/dist/mantine.
AM_MODULE=github.com/prometheus/alertmanager
AM_MODULE_VERSION=v0.35.0                                  # Go module version = release tag
AM_VERSION=0.35.0                                          # release / image tag (VERSION file)
ALERTMANAGER_SUM='h1:nbXMjr+P2JaoFd7aHNDxKifEwTPN+TWxM0gNPonuH5w='
# The Go proxy's .info for v0.35.0 names no commit (no Origin) and GitHub is not reachable from
# here, so the revision stamped in is the tag, not a commit hash.
AM_REVISION=$AM_MODULE_VERSION
AM_DATE=20261109-07:41:41                                  # commit time (proxy: 2026-11-09T07:41:41Z), promu's format

log() { echo "build-alertmanager: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

source "$ROOT/scripts/lib/go-env.sh"
# -mod=readonly: build exactly what the module's go.mod/go.sum pin.
export GOFLAGS="-mod=readonly -buildvcs=false"
export GOWORK=off

OUT_DIR="$ROOT/alertmanager/build/$AM_VERSION"
BIN="$OUT_DIR/alertmanager"
TOOL="$OUT_DIR/amtool"
SRC="$OUT_DIR/.src"          # scratch copy of the module, removed after a successful build

if [ -x "$BIN" ] && [ -x "$TOOL" ] && [ "${FORCE:-0}" != "1" ]; then
  log "$BIN and amtool exist, skipping build (FORCE=1 to rebuild)"
  echo "$BIN"
  exit 0
fi

# Alertmanager serves .html only from a .br (clients accepting br: browsers) or .gz copy, as its
# own UI build leaves them; both are committed, made from index.html (alertmanager/ui-stub/README.md).
for ui in elm mantine; do
  for f in index.html index.html.gz index.html.br; do
    [ -f "$STUB_DIR/$ui/$f" ] || die "stub page not found: $STUB_DIR/$ui/$f"
  done
  gzip -dc "$STUB_DIR/$ui/index.html.gz" | cmp -s - "$STUB_DIR/$ui/index.html" ||
    die "$STUB_DIR/$ui/index.html.gz is not index.html compressed: regenerate it (alertmanager/ui-stub/README.md)"
  if command -v node >/dev/null 2>&1; then   # Node has brotli; without Node the .br is not checked
    node -e 'const fs = require("fs"), z = require("zlib"), d = process.argv[1];
      process.exit(z.brotliDecompressSync(fs.readFileSync(d + ".br")).equals(fs.readFileSync(d)) ? 0 : 1);' \
      "$STUB_DIR/$ui/index.html" ||
      die "$STUB_DIR/$ui/index.html.br is not index.html compressed: regenerate it (alertmanager/ui-stub/README.md)"
  fi
done
log "go: $(go version)"

# Go's dirhash.Hash1 over a directory: sha256 of the sorted "<sha256>  <module@version>/<path>" lines.
h1_of_dir() {
  local dir=$1 prefix=$2 list hex
  list="$(cd "$dir" && find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 sha256sum --)"
  ! grep -q '^\\' <<<"$list" || return 1   # sha256sum escapes odd names; not expected here
  hex="$(sed "s|^\([0-9a-f]\{64\}\)  |\1  $prefix/|" <<<"$list" | sha256sum | cut -c1-64)"
  printf 'h1:%s\n' "$(printf "$(sed 's/../\\x&/g' <<<"$hex")" | base64)"
}

t0=$(date +%s)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Outside any module: download (or find in the cache) exactly this version.
dl="$(cd "$tmp" && go mod download -json "$AM_MODULE@$AM_MODULE_VERSION")" ||
  die "go mod download $AM_MODULE@$AM_MODULE_VERSION failed: $dl"
dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$dl")"
sum="$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p' <<<"$dl")"
[ "$sum" = "$ALERTMANAGER_SUM" ] || die "$AM_MODULE@$AM_MODULE_VERSION has sum '$sum', pinned $ALERTMANAGER_SUM"
[ -d "$dir" ] || die "module dir not found: '$dir'"

log "copying $AM_MODULE@$AM_MODULE_VERSION to $SRC"
mkdir -p "$OUT_DIR"
[ ! -e "$SRC" ] || { chmod -R u+w "$SRC"; rm -rf "$SRC"; }
cp -R "$dir" "$SRC"
chmod -R u+w "$SRC"              # the module cache is read-only
have_sum="$(h1_of_dir "$SRC" "$AM_MODULE@$AM_MODULE_VERSION")" || die "cannot hash $SRC"
[ "$have_sum" = "$ALERTMANAGER_SUM" ] || die "copied source hashes to $have_sum, pinned $ALERTMANAGER_SUM"
[ "$(cat "$SRC/VERSION")" = "$AM_VERSION" ] || die "$SRC/VERSION is not $AM_VERSION"
grep -q '^//go:embed app/dist$' "$SRC/ui/web.go" || die "ui/web.go no longer embeds app/dist: check the stub layout"
[ ! -e "$SRC/ui/app/dist" ] || die "the module now carries ui/app/dist: the stubs are not needed any more"
for ui in elm mantine; do
  mkdir -p "$SRC/ui/app/dist/$ui"
  cp "$STUB_DIR/$ui/index.html.gz" "$STUB_DIR/$ui/index.html.br" "$SRC/ui/app/dist/$ui/"
done

V=github.com/prometheus/common/version
# Same -X flags as Alertmanager's release build (.promu.yml); -s -w strip like promu; CGO off
# (so the pure-Go resolver, as the release's netgo tag gives); -trimpath for reproducible output.
LDFLAGS="-s -w -X $V.Version=$AM_VERSION -X $V.Revision=$AM_REVISION -X $V.Branch=HEAD -X $V.BuildUser=orderscope -X $V.BuildDate=$AM_DATE"
for name in alertmanager amtool; do
  out="$OUT_DIR/$name"
  log "building $out from $AM_MODULE/cmd/$name@$AM_MODULE_VERSION (first build downloads modules and compiles for a minute or two)"
  t1=$(date +%s)
  rm -f "$out" "$out.tmp"
  ( cd "$SRC" && go build -trimpath -ldflags "$LDFLAGS" -o "$out.tmp" "./cmd/$name" )
  mv "$out.tmp" "$out"
  have="$("$out" --version 2>&1 | sed -n "1s/^$name, version \([^ ]*\) .*/\1/p")"
  [ "$have" = "$AM_VERSION" ] || die "$out --version reports '$have', expected $AM_VERSION"
  e=$(( $(date +%s) - t1 ))
  log "$name $have built in $((e / 60))m$(printf '%02d' $((e % 60)))s ($e s), size $(du -h "$out" | cut -f1)"
done
rm -rf "$SRC"
elapsed=$(( $(date +%s) - t0 ))
log "alertmanager + amtool $AM_VERSION done in $((elapsed / 60))m$(printf '%02d' $((elapsed % 60)))s ($elapsed s)"
echo "$BIN"
