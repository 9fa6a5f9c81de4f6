#!/usr/bin/env bash
# A real Docker Engine for the compose test, without a registry and without installing anything
# system-wide: Engine 26.1.5, containerd and Compose 2.26.1 from Debian trixie's packages, runc and
# tini from bookworm's (trixie's runc needs a newer glibc), unpacked with dpkg -x under
# .local/engine, started with its own data root, socket and pid file. docs/compose-test.md.
#
#   scripts/compose-engine.sh up     # fetch (once), start; prints the environment to export
#   scripts/compose-engine.sh env    # the environment (DOCKER_HOST, DOCKER_CONFIG, PATH)
#   scripts/compose-engine.sh down   # stop the engine this script started (by its pid file)
#   scripts/compose-engine.sh archive  # the Debian archive it fetches from (the machine's own)
#
# Host needs: iptables (dockerd's bridge network), apt-get and dpkg. One dockerd per machine: a
# second would want the same docker0 bridge and iptables chains, so `up` refuses when one runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.local/engine"
pkgs="$dir/pkgs"            # unpacked packages (the binaries)
run="$dir/run"              # socket, pid file, exec root
pidfile="$run/dockerd.pid"
sock="$run/docker.sock"
log="$dir/dockerd.log"

# Packages and their pinned upstream versions. The archive keeps only a suite's current build, so
# Debian's revision (a security rebuild) is taken as it comes; an upstream version other than the
# pinned one fails the fetch.
TRIXIE=(docker.io=26.1.5 containerd=1.7.24 docker-cli=26.1.5 docker-compose=2.26.1)
BOOKWORM=(runc=1.1.5 tini=0.19.0)

say() { printf '[compose-engine] %s\n' "$*" >&2; }

archive_uri() {
  # The Debian archive the machine already uses (deb822 or one-line sources).
  local uri
  uri="$(grep -rhoE '^(URIs:[[:space:]]*|deb[[:space:]]+)https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
    | grep -oE 'https?://[^ ]*' | head -1 || true)"
  echo "${uri:-http://deb.debian.org/debian}"
}

fetch() {
  [[ -x "$pkgs/usr/sbin/dockerd" && -f "$pkgs/.versions" ]] && [[ "$(cat "$pkgs/.versions")" == "${TRIXIE[*]} ${BOOKWORM[*]}" ]] && return
  local apt="$dir/apt" uri
  uri="$(archive_uri)"
  say "fetching ${TRIXIE[*]} (trixie) and ${BOOKWORM[*]} (bookworm) from $uri"
  rm -rf "$apt" "$pkgs" && mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs" "$pkgs"
  # A private apt index: its own sources, lists and cache; the machine's apt state is untouched.
  cat >"$apt/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main
SRC
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Get::List-Cleanup=0
    -o APT::Sandbox::User=root -qq)
  apt-get "${opts[@]}" update
  local want=() p
  for p in "${TRIXIE[@]}"; do want+=("${p%%=*}/trixie"); done
  for p in "${BOOKWORM[@]}"; do want+=("${p%%=*}/bookworm"); done
  (cd "$apt/debs" && apt-get "${opts[@]}" download "${want[@]}")
  for p in "${TRIXIE[@]}" "${BOOKWORM[@]}"; do
    local deb version
    deb="$(ls "$apt/debs/${p%%=*}_"*.deb)"
    version="$(dpkg-deb -f "$deb" Version)"
    [[ "${version#*:}" == "${p#*=}"[+~-]* ]] || { say "${p%%=*} is $version in the archive, not ${p#*=}: update the pin"; exit 1; }
    dpkg -x "$deb" "$pkgs"
  done
  printf '%s' "${TRIXIE[*]} ${BOOKWORM[*]}" >"$pkgs/.versions"
  rm -rf "$apt"
}

env_lines() {
  cat <<ENV
export DOCKER_HOST=unix://$sock
export DOCKER_CONFIG=$dir/config
export PATH=$pkgs/usr/bin:$pkgs/usr/sbin:\$PATH
ENV
}

running() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

up() {
  command -v iptables >/dev/null || { say "iptables is missing (apt-get install iptables)"; exit 1; }
  fetch
  mkdir -p "$run" "$dir/data" "$dir/config/cli-plugins"
  ln -sf "$pkgs/usr/libexec/docker/cli-plugins/docker-compose" "$dir/config/cli-plugins/docker-compose"
  # bookworm's tini-static is what Docker runs as `init: true`.
  ln -sf "$pkgs/usr/bin/tini-static" "$pkgs/usr/bin/docker-init"
  if running; then say "already running (pid $(cat "$pidfile"))"; env_lines; return; fi
  if pgrep -x dockerd >/dev/null; then say "another dockerd runs on this machine (pid $(pgrep -x dockerd | head -1)): stop it first"; exit 1; fi
  PATH="$pkgs/usr/bin:$pkgs/usr/sbin:$PATH" setsid "$pkgs/usr/sbin/dockerd" \
    --data-root "$dir/data" --exec-root "$run/exec" -H "unix://$sock" --pidfile "$pidfile" \
    --containerd-namespace orderscope --containerd-plugins-namespace orderscope-plugins \
    >"$log" 2>&1 </dev/null &
  local deadline=$((SECONDS + 60))
  until "$pkgs/usr/bin/docker" -H "unix://$sock" version >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { say "dockerd did not answer within 60 s; its log:"; tail -30 "$log" >&2; exit 1; }
    sleep 0.5
  done
  say "Docker Engine $("$pkgs/usr/bin/docker" -H "unix://$sock" version -f '{{.Server.Version}}') up (pid $(cat "$pidfile")), Compose $(DOCKER_CONFIG="$dir/config" "$pkgs/usr/bin/docker" compose version --short)"
  env_lines
}

down() {
  if ! running; then say "not running"; return; fi
  local pid; pid="$(cat "$pidfile")"
  kill -TERM "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || { say "dockerd (pid $pid) still running after 60 s: SIGKILL"; kill -KILL "$pid"; break; }
    sleep 0.5
  done
  say "stopped (pid $pid)"
}

case "${1:-}" in
  up) up ;;
  env) env_lines ;;
  archive) archive_uri ;;
  down) down ;;
  *) echo "usage: $0 up|env|down|archive" >&2; exit 64 ;;
esac
