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

source "$ROOT/scripts/lib/go-install.sh"
vl_version() { "$1" -version 2>&1 | head -1; }
go_install_release victorialogs "$ROOT/victorialogs/build/$VL_VERSION" victoria-logs "victoria-logs-$VL_VERSION" vl_version -- \
  -ldflags "-s -w -X github.com/VictoriaMetrics/VictoriaMetrics/lib/buildinfo.Version=victoria-logs-$VL_VERSION" \
  "$VL_MODULE/app/victoria-logs@$VL_VERSION"
