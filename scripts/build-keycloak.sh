#!/usr/bin/env bash
# Install Keycloak natively from Maven Central (org.keycloak:keycloak-quarkus-dist, the same
# release as the quay.io/keycloak/keycloak image compose runs), and build it for production mode:
# PostgreSQL, health and metrics on (build-time options; the rest is given at start).
#
#   scripts/build-keycloak.sh          # keycloak/build/<version>/keycloak-<version>, or skip if built
#   FORCE=1 scripts/build-keycloak.sh  # unpack and build again (the downloaded zip is kept)
#
# Needs Java 17 or newer (Debian's openjdk-17-jre-headless), curl and unzip. The zip (177 MB) is
# checked against its pinned SHA-256. The last line printed is the Keycloak home.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KC_VERSION=26.7.3
KC_SHA256=27a6535553c3cdcd083872ba40629efafb3475e3b758e0c6f691395561dd0f1f
KC_URL="https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/$KC_VERSION/keycloak-quarkus-dist-$KC_VERSION.zip"

log() { echo "build-keycloak: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

OUT_DIR="$ROOT/keycloak/build/$KC_VERSION"
HOME_DIR="$OUT_DIR/keycloak-$KC_VERSION"
ZIP="$OUT_DIR/keycloak-quarkus-dist-$KC_VERSION.zip"
STAMP="$HOME_DIR/.orderscope-built"
# What the build bakes in; a change here rebuilds.
BUILD_OPTS=(--db=postgres --health-enabled=true --metrics-enabled=true)

command -v java >/dev/null || die "java not found (apt-get install openjdk-17-jre-headless)"
command -v unzip >/dev/null || die "unzip not found (apt-get install unzip)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "${BUILD_OPTS[*]}" ] && [ "${FORCE:-0}" != "1" ]; then
  log "$HOME_DIR is built (${BUILD_OPTS[*]}), skipping (FORCE=1 to rebuild)"
  echo "$HOME_DIR"
  exit 0
fi
mkdir -p "$OUT_DIR"
t0=$(date +%s)
if ! { [ -f "$ZIP" ] && echo "$KC_SHA256  $ZIP" | sha256sum -c --status; }; then
  log "downloading $KC_URL"
  curl -fsSL --retry 3 -o "$ZIP.tmp" "$KC_URL"
  echo "$KC_SHA256  $ZIP.tmp" | sha256sum -c --status || die "$ZIP.tmp does not match the pinned SHA-256 $KC_SHA256"
  mv "$ZIP.tmp" "$ZIP"
fi
rm -rf "$HOME_DIR"
unzip -q "$ZIP" -d "$OUT_DIR"
[ -x "$HOME_DIR/bin/kc.sh" ] || die "$HOME_DIR/bin/kc.sh not found in the zip"
log "kc.sh build ${BUILD_OPTS[*]} (about 40 s)"
"$HOME_DIR/bin/kc.sh" build "${BUILD_OPTS[@]}" >"$OUT_DIR/build.log" 2>&1 || { tail -20 "$OUT_DIR/build.log" >&2; die "kc.sh build failed (log: $OUT_DIR/build.log)"; }
echo "${BUILD_OPTS[*]}" >"$STAMP"
log "Keycloak $KC_VERSION built in $(( $(date +%s) - t0 )) s ($(java -version 2>&1 | head -1))"
echo "$HOME_DIR"
