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

source "$ROOT/scripts/lib/go-install.sh"
o2p_version() { "$1" --version 2>&1 | sed -n 's/^oauth2-proxy \(v[^ ]*\) .*/\1/p'; }
go_install_release oauth2-proxy "$ROOT/oauth2-proxy/build/$O2P_VERSION" oauth2-proxy "$O2P_VERSION" o2p_version -- \
  -ldflags "-s -w -X $O2P_MODULE/pkg/version.VERSION=$O2P_VERSION" "$O2P_MODULE@$O2P_VERSION"
