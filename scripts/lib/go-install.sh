# Sourced by the scripts that build a released Go tool with `go install` (VictoriaLogs,
# oauth2-proxy): builds into OUT_DIR once (FORCE=1 rebuilds), checks that the binary reports the
# pinned version, and prints its path as the last line.
#   go_install_release TOOL OUT_DIR BIN_NAME WANT VERSION_FN -- GO_INSTALL_ARGS...
# VERSION_FN is a function the caller defines: given the binary, it prints the version it reports.
source "$(dirname "${BASH_SOURCE[0]}")/go-env.sh"
export GOFLAGS="-buildvcs=false" GOWORK=off

go_install_release() {
  local tool="$1" out="$2" bin="$2/$3" want="$4" version_fn="$5"
  shift 6
  if [ -x "$bin" ] && [ "${FORCE:-0}" != "1" ]; then
    echo "build-$tool: $bin exists, skipping build (FORCE=1 to rebuild)" >&2
    echo "$bin"
    return 0
  fi
  mkdir -p "$out"
  local t0 have e
  t0=$(date +%s)
  echo "build-$tool: go install $* (a first build downloads modules and compiles for a few minutes)" >&2
  GOBIN="$out" go install -trimpath "$@"
  have="$("$version_fn" "$bin")"
  if [ "$have" != "$want" ]; then
    echo "build-$tool: ERROR: $bin reports version '$have', expected $want" >&2
    return 1
  fi
  e=$(( $(date +%s) - t0 ))
  echo "build-$tool: $tool $have built in $e s, size $(du -h "$bin" | cut -f1)" >&2
  echo "$bin"
}
