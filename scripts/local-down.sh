#!/usr/bin/env bash
# npm run local:down — stops exactly what local:up started (by the PIDs it recorded), then
# PostgreSQL. Idempotent; the data under .local/ stays (delete .local/ for a clean slate).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
state="$ORDERSCOPE_STATE"
log() { printf '[local:down] %s\n' "$*" >&2; }

stop() { # name marker — TERM (then KILL after 15 s) the process local:up recorded, if it is still ours
  local pidfile="$state/run/$1.pid" pid
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q "$2" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "$1 did not stop in 15 s; killing"; kill -KILL "$pid"; fi
    log "$1 stopped (pid $pid)"
  fi
  rm -f "$pidfile"
}

# Services first (they flush their spans), then the collector (it flushes to Jaeger), then Jaeger.
for svc in "${SERVICES[@]}"; do stop "$svc" "services/$svc/"; done
for c in jaeger prometheus alertmanager victorialogs; do
  stop "oauth2-proxy-$c" oauth2-proxy
done
stop access-gateway access-gateway-cli.js
stop keycloak keycloak-
stop prometheus "$root/prometheus/prometheus.yml"
stop alertmanager "$root/alertmanager/alertmanager.yml"
stop otelcol otelcol-orderscope
# After the collector: it sends what it still holds to the store on the way down.
stop log-gateway access-gateway-cli.js
stop victorialogs victorialogs/build/
stop jaeger jaeger/build/
bash "$root/scripts/jaeger-store.sh" unmount "$state/jaeger/badger" ||
  log "Jaeger's encrypted store is still mounted (in use?): bash scripts/jaeger-store.sh unmount $state/jaeger/badger"

pg_bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
pg_data="$state/pg/data"
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [[ -x "$pg_bin/pg_ctl" && -f "$pg_data/PG_VERSION" ]] && as_pg "$pg_bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1; then
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null
  log "PostgreSQL stopped"
fi
