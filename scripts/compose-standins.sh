#!/usr/bin/env bash
# Builds, in the engine of scripts/compose-engine.sh, local stand-ins for the images the compose
# file and the Dockerfiles name but no registry can give here (tools/compose-standins/, what each
# proves: docs/compose-test.md). The tags are read from docker-compose.yml and the Dockerfiles, so
# they are written once. Grafana has no stand-in: no Grafana binary can be had here.
#   DOCKER_HOST=... scripts/compose-standins.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/tools/compose-standins"
work="$root/.local/engine/standins"
NPM_VERSION=11.21.2   # npm in the node stand-in (the official image bundles the npm of its Node)
say() { printf '[compose-standins] %s (%ss)\n' "$*" "$SECONDS" >&2; }
tag_in() { # FILE REGEX: the first capture group of REGEX in FILE
  local t; t="$(sed -nE "s|$2|\\1|p" "$root/$1" | head -1)"
  [[ -n "$t" ]] || { say "no image matching $2 in $1"; exit 1; }
  echo "$t"
}

NODE_TAG="$(tag_in Dockerfile '^FROM (node:[^ ]+) AS build.*')"
DEBIAN_JAEGER_TAG="$(tag_in jaeger/Dockerfile '^FROM (debian:[^ ]+).*')"
JAEGER_TAG="$(tag_in jaeger/Dockerfile '^COPY --from=(jaegertracing/jaeger:[^ ]+) .*')"
POSTGRES_TAG="$(tag_in docker-compose.yml '^ +image: (postgres:[^ ]+).*')"
OTELCOL_TAG="$(tag_in docker-compose.yml '^ +image: (otel/opentelemetry-collector-contrib:[^ ]+).*')"
PROMETHEUS_TAG="$(tag_in docker-compose.yml '^ +image: (prom/prometheus:[^ ]+).*')"
ALERTMANAGER_TAG="$(tag_in docker-compose.yml '^ +image: (prom/alertmanager:[^ ]+).*')"
KEYCLOAK_TAG="$(tag_in docker-compose.yml '^ +image: (quay.io/keycloak/keycloak:[^ ]+).*')"
O2P_TAG="$(tag_in docker-compose.yml '^ +image: (quay.io/oauth2-proxy/oauth2-proxy:[^ ]+).*')"
VL_TAG="$(tag_in docker-compose.yml '^ +image: (victoriametrics/victoria-logs:[^ ]+).*')"

have() { docker image inspect "$1" >/dev/null 2>&1; }

# The base: Debian bookworm from the archive (debootstrap), imported as debian:bookworm-slim.
if ! have debian:bookworm-slim; then
  uri="$(bash "$root/scripts/compose-engine.sh" archive)"
  rootfs="$work/bookworm-rootfs"
  rm -rf "$rootfs" && mkdir -p "$rootfs"
  say "debootstrap bookworm (minbase) from $uri"
  debootstrap --variant=minbase bookworm "$rootfs" "$uri" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  security="${uri%/debian*}/debian-security"
  cat >"$rootfs/etc/apt/sources.list" <<SRC
deb $uri bookworm main
deb $uri bookworm-updates main
deb $security bookworm-security main
SRC
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" --numeric-owner -c . | docker import -c 'CMD ["bash"]' - debian:bookworm-slim >/dev/null
  rm -rf "$rootfs"
  say "debian:bookworm-slim imported"
fi
docker tag debian:bookworm-slim "$DEBIAN_JAEGER_TAG"

# A build context per stand-in: its Dockerfile, its scripts, the binaries it copies.
build() { # TAG NAME FILE...
  local tag="$1" name="$2" ctx="$work/$2"; shift 2
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp "$src/$name.Dockerfile" "$ctx/Dockerfile"
  cp "$src/$name"-*.sh "$ctx/" 2>/dev/null || true
  for f in "$@"; do cp -a "$f" "$ctx/"; done
  # The CLI has no buildx here, so this is the legacy builder (it says so, deprecated, on every
  # build: its output is shown only on failure): no COPY --chmod in these files.
  local out
  out="$(DOCKER_BUILDKIT=0 docker build -t "$tag" --label orderscope.standin="$name" "$ctx" 2>&1)" \
    || { printf '%s\n' "$out" >&2; say "building $tag failed"; exit 1; }
  say "$tag (stand-in: tools/compose-standins/$name.Dockerfile)"
}

node_bin="$(bash "$root/scripts/ensure-node24.sh")/node"
npm_dir="$work/npm-$NPM_VERSION"
if [[ ! -f "$npm_dir/package/package.json" ]]; then
  mkdir -p "$npm_dir" && (cd "$npm_dir" && npm pack -s "npm@$NPM_VERSION" >/dev/null && tar -xzf npm-*.tgz && rm npm-*.tgz)
fi
mkdir -p "$work/node-files" && cp -a "$node_bin" "$work/node-files/node" && rm -rf "$work/node-files/npm" && cp -a "$npm_dir/package" "$work/node-files/npm"
build "$NODE_TAG" node "$work/node-files/node" "$work/node-files/npm"

build "$POSTGRES_TAG" postgres

otelcol="$(bash "$root/scripts/build-otelcol.sh" | tail -1)"
cp -a "$otelcol" "$work/otelcol-contrib"
build "$OTELCOL_TAG" otelcol "$work/otelcol-contrib"

jaeger="$(bash "$root/scripts/build-jaeger.sh" | tail -1)"
cp -a "$jaeger" "$work/jaeger-linux"
build "$JAEGER_TAG" jaeger "$work/jaeger-linux"

prometheus="$(bash "$root/scripts/build-prometheus.sh" | tail -1)"
build "$PROMETHEUS_TAG" prometheus "$prometheus" "$(dirname "$prometheus")/promtool"

alertmanager="$(bash "$root/scripts/build-alertmanager.sh" | tail -1)"
build "$ALERTMANAGER_TAG" alertmanager "$alertmanager" "$(dirname "$alertmanager")/amtool"

keycloak="$(bash "$root/scripts/build-keycloak.sh" | tail -1)"
# Without data/: the native stack's (the image starts with none; compose mounts the realm file).
rm -rf "$work/keycloak-files" && mkdir -p "$work/keycloak-files" && cp -a "$keycloak" "$work/keycloak-files/keycloak"
rm -rf "$work/keycloak-files/keycloak/data"
build "$KEYCLOAK_TAG" keycloak "$work/keycloak-files/keycloak"

o2p="$(bash "$root/scripts/build-oauth2-proxy.sh" | tail -1)"
build "$O2P_TAG" oauth2-proxy "$o2p"

vl="$(bash "$root/scripts/build-victorialogs.sh" | tail -1)"
build "$VL_TAG" victorialogs "$vl"
