#!/usr/bin/env bash
# npm run local:up — the native stack: PostgreSQL (Debian's, on a data directory under .local/)
# and the four services, on the ports compose publishes. Idempotent: what already runs is kept.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
cd "$root"
state="$ORDERSCOPE_STATE"
mkdir -p "$state/run" "$state/logs" "$state/uploads"

log() { printf '[local:up] %s\n' "$*" >&2; }

node_bin="$(bash scripts/ensure-node24.sh)"
export PATH="$node_bin:$PATH"
log "node $(node --version)"

node scripts/gen-secrets.mjs "$ORDERSCOPE_SECRETS_DIR" >/dev/null
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npm run -s build

# --- PostgreSQL -----------------------------------------------------------------------------------
pg_bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[[ -x "$pg_bin/pg_ctl" ]] || { log "PostgreSQL server binaries not found (apt-get install postgresql)"; exit 1; }
pg_data="$state/pg/data"
pg_sock="$state/pg/run"
# initdb and the server refuse to run as root: as root, run them as the postgres user.
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if ! as_pg "$pg_bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1; then
  mkdir -p "$state/pg" "$pg_sock"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$state/pg" "$pg_sock"
  if [[ ! -f "$pg_data/PG_VERSION" ]]; then
    log "initdb $pg_data"
    pwfile="$(mktemp)"
    cat "$ORDERSCOPE_SECRETS_DIR/postgres_password" >"$pwfile"
    [[ $(id -u) -eq 0 ]] && chown postgres "$pwfile"
    as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --pwfile="$pwfile" \
      --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$state/logs/initdb.log"
    rm -f "$pwfile"
  fi
  log "starting PostgreSQL on 127.0.0.1:$PGPORT"
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$state/pg/postgres.log" -w -t 60 start \
    -o "-p $PGPORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg_sock" >/dev/null
fi

DB_ADMIN_PASSWORD_FILE="$ORDERSCOPE_SECRETS_DIR/postgres_password" \
DB_PASSWORD_SHOP_FILE="$ORDERSCOPE_SECRETS_DIR/db_password_shop" \
DB_PASSWORD_MES_API_FILE="$ORDERSCOPE_SECRETS_DIR/db_password_mes_api" \
DB_PASSWORD_CRM_FILE="$ORDERSCOPE_SECRETS_DIR/db_password_crm" \
DB_PASSWORD_MES_FILE="$ORDERSCOPE_SECRETS_DIR/db_password_mes" \
  node packages/common/dist/src/db/bootstrap-cli.js >/dev/null

# --- the services ---------------------------------------------------------------------------------
alive() { # pid file → is that process one of ours and alive?
  local pid
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q "services/$2/" "/proc/$pid/cmdline" 2>/dev/null
}

wait_ready() { # service port deadline-seconds
  local deadline=$((SECONDS + $3))
  until curl -fs -o /dev/null "http://127.0.0.1:$2/health/ready"; do
    if ((SECONDS >= deadline)) || ! alive "$state/run/$1.pid" "$1"; then
      log "$1 did not become ready; last log lines:"
      tail -n 20 "$state/logs/$1.log" >&2
      return 1
    fi
    sleep 0.2
  done
}

for svc in "${SERVICES[@]}"; do
  pidfile="$state/run/$svc.pid"
  if alive "$pidfile" "$svc"; then
    log "$svc already running (pid $(cat "$pidfile"))"
  else
    schema="${SERVICE_SCHEMA[$svc]}"
    DB_PASSWORD_FILE="$ORDERSCOPE_SECRETS_DIR/db_password_$schema" \
    UPLOAD_DIR="$state/uploads/$svc" \
      nohup node "services/$svc/dist/src/main.js" >>"$state/logs/$svc.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    log "$svc started (pid $!, port ${SERVICE_PORT[$svc]}, log .local/logs/$svc.log)"
  fi
  # The CRM first: every other service records its transitions in the CRM's registry.
  wait_ready "$svc" "${SERVICE_PORT[$svc]}" 60
done
log "ready: shop :8081, mes-api :8082, crm :8083, mes :8084, postgres :$PGPORT"
