#!/usr/bin/env bash
# Validate a compose file with compose-go, the parser Docker Compose itself uses
# (no Docker engine needed). See tools/compose-check/main.go.
#
#   scripts/check-compose.sh [COMPOSE_FILE] [compose-check flags...]
#
# COMPOSE_FILE defaults to <repo>/docker-compose.yml. Extra flags go to the checker,
# e.g. --print, --no-os-env, --env-file FILE, --require-pinned-images=false, --max-memory-mib N.
#
# The checker is built once per content hash of its go.mod, go.sum, Go sources and
# Go version into .tools/compose-check/<hash>/compose-check (.tools/ is git-ignored);
# a later run with the same inputs reuses that binary.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/tools/compose-check"

GO="${GO:-}"
if [[ -z "$GO" ]]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)"
  elif [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go
  else echo "check-compose: Go toolchain not found (set GO=/path/to/go)" >&2; exit 2
  fi
fi

compose_file="${1:-$root/docker-compose.yml}"
if [[ $# -gt 0 ]]; then shift; fi

# Content hash of everything that determines the binary.
hash="$(
  cd "$src"
  {
    "$GO" env GOVERSION GOOS GOARCH
    find . -path ./testdata -prune -o -type f \( -name go.mod -o -name go.sum -o \( -name '*.go' ! -name '*_test.go' \) \) -print \
      | LC_ALL=C sort | while IFS= read -r f; do printf '%s\n' "$f"; cat "$f"; done
  } | sha256sum | cut -c1-16
)"
bin_dir="$root/.tools/compose-check/$hash"
bin="$bin_dir/compose-check"

if [[ -x "$bin" ]]; then
  echo "check-compose: using cached $bin" >&2
else
  echo "check-compose: building compose-check ($hash) ..." >&2
  mkdir -p "$bin_dir"
  start="$(date +%s%N)"
  tmp="$bin.tmp.$$"
  trap 'rm -f "$tmp"' EXIT
  (cd "$src" && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 "$GO" build -trimpath -o "$tmp" .)
  mv -f "$tmp" "$bin"
  trap - EXIT
  end="$(date +%s%N)"
  ms=$(( (end - start) / 1000000 ))
  printf 'check-compose: build took %d.%03ds\n' $((ms / 1000)) $((ms % 1000)) >&2
fi

if [[ ! -f "$compose_file" ]]; then
  echo "check-compose: compose file not found: $compose_file" >&2
  exit 1
fi

# Every service that keeps running has a memory limit, and they add up to at most this (the
# checker prints the sum). B4's target is 2048 MiB (docs/benchmarks.md); set from the programs'
# measured peaks the limits add up to more today, so this holds them where they are: lower it as
# the programs shrink. A flag given after the file wins (--max-memory-mib 0: no budget).
memory_budget_mib=4672
exec "$bin" -f "$compose_file" --max-memory-mib "$memory_budget_mib" "$@"
