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

npm run -s build
node packages/ops/dist/src/secrets/secrets-cli.js "$ORDERSCOPE_SECRETS_DIR" >/dev/null
# The demo CA and every component's certificates, made once (remade when incomplete or expiring;
# `npm run certs:rotate` replaces them): docs/transport-security.md.
node packages/ops/dist/src/tls/certs-cli.js "$ORDERSCOPE_CERTS_DIR" >&2

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
DB_PASSWORD_GRAFANA_FILE="$ORDERSCOPE_SECRETS_DIR/db_password_grafana" \
DB_PASSWORD_KEYCLOAK_FILE="$ORDERSCOPE_SECRETS_DIR/db_password_keycloak" \
  node packages/ops/dist/src/db/bootstrap-cli.js >/dev/null

alive() { # pid-file marker → is that process ours (its command line has the marker) and alive?
  local pid
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q "$2" "/proc/$pid/cmdline" 2>/dev/null
}

wait_ready() { # name marker url deadline-seconds [client] — https URLs checked against our CA, with
  # that component's client certificate when the server wants one
  local deadline=$((SECONDS + $4)) cert=()
  [[ -n "${5:-}" ]] && cert=(--cert "$ORDERSCOPE_CERTS_DIR/$5/client.crt" --key "$ORDERSCOPE_CERTS_DIR/$5/client.key")
  until curl -fs -o /dev/null --cacert "$ORDERSCOPE_CERTS_DIR/ca.crt" "${cert[@]}" "$3"; do
    if ((SECONDS >= deadline)) || ! alive "$state/run/$1.pid" "$2"; then
      log "$1 did not become ready at $3; last log lines:"
      tail -n 20 "$state/logs/$1.log" >&2
      return 1
    fi
    sleep 0.2
  done
}

start_bg() { # name marker command... — starts it in the background, logs and pid under .local/
  local name="$1" marker="$2"
  shift 2
  if alive "$state/run/$name.pid" "$marker"; then
    log "$name already running (pid $(cat "$state/run/$name.pid"))"
    return
  fi
  nohup "$@" >>"$state/logs/$name.log" 2>&1 </dev/null &
  local pid=$! deadline=$((SECONDS + 10))
  echo "$pid" >"$state/run/$name.pid"
  # Until it execs, the child is a fork of this shell, whose command line lacks the marker: wait
  # for the exec, so `alive` never takes a process still starting for a dead one.
  while kill -0 "$pid" 2>/dev/null && ! grep -q "$marker" "/proc/$pid/cmdline" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.05
  done
  log "$name started (pid $pid, log .local/logs/$name.log)"
}

# --- Jaeger and the OpenTelemetry Collector (built once from pinned Go modules, then cached) ------
jaeger_bin="$(bash scripts/build-jaeger.sh | tail -n 1)"
otelcol_bin="$(bash scripts/build-otelcol.sh | tail -n 1)"
mkdir -p "$state/jaeger" "$state/otelcol"
# Jaeger's trace store, encrypted at rest (docs/storage-encryption.md): Jaeger writes into a
# gocryptfs view of $state/jaeger/badger-encrypted, opened with jaeger_storage_key. Idempotent.
bash scripts/jaeger-store.sh mount --log "$state/logs/jaeger-store.log" \
  "$state/jaeger/badger-encrypted" "$state/jaeger/badger" "$ORDERSCOPE_SECRETS_DIR/jaeger_storage_key"
export SECRETS_DIR="$ORDERSCOPE_SECRETS_DIR"
# Its UI/API on a loopback port of its own: the login (oauth2-proxy, below) takes 16686.
PROMETHEUS_URL="https://127.0.0.1:$PROMETHEUS_DIRECT_PORT" JAEGER_QUERY_PORT="$JAEGER_DIRECT_PORT" JAEGER_BADGER_DIR="$state/jaeger/badger" CERTS_DIR="$ORDERSCOPE_CERTS_DIR/jaeger" \
GOMEMLIMIT="$JAEGER_GOMEMLIMIT" \
  start_bg jaeger "$jaeger_bin" "$jaeger_bin" --config "file:$root/jaeger/config.yaml"
wait_ready jaeger "$jaeger_bin" "http://127.0.0.1:13134/status" 60
# --- the log store: VictoriaLogs (built once from its pinned Go module) and its mTLS door -----------
# VictoriaLogs checks no client certificate (its open-source edition cannot): it listens on loopback
# with TLS and a password, and the log gateway (an access gateway in its mTLS mode) is the only
# holder of that password. docs/logging.md.
vl_bin="$(bash scripts/build-victorialogs.sh | tail -n 1)"
mkdir -p "$state/victorialogs"
start_bg victorialogs "$vl_bin" "$vl_bin" -storageDataPath="$state/victorialogs" \
  -retentionPeriod="${VICTORIALOGS_RETENTION:-14d}" -retention.maxDiskSpaceUsageBytes=2GiB \
  -memory.allowedBytes=96MiB -loggerFormat=json \
  -httpListenAddr="127.0.0.1:$VICTORIALOGS_PORT" -tls \
  -tlsCertFile="$ORDERSCOPE_CERTS_DIR/victorialogs/server.crt" -tlsKeyFile="$ORDERSCOPE_CERTS_DIR/victorialogs/server.key" \
  -httpAuth.username=orderscope -httpAuth.password="file://$ORDERSCOPE_SECRETS_DIR/victorialogs_password"
lg_certs="$ORDERSCOPE_CERTS_DIR/log-gateway"
# Its access log: $ACCESS_LOG_DIR/log-gateway-access.<n>.jsonl.
ACCESS_COMPONENTS="log-gateway=127.0.0.1:$LOG_GATEWAY_PORT=https://localhost:$VICTORIALOGS_PORT" \
TLS_CA_FILE="$lg_certs/ca.crt" TLS_CERT_FILE="$lg_certs/client.crt" TLS_KEY_FILE="$lg_certs/client.key" \
ACCESS_SERVER_CERT_FILE="$lg_certs/server.crt" ACCESS_SERVER_KEY_FILE="$lg_certs/server.key" \
ACCESS_UPSTREAM_USER=orderscope ACCESS_UPSTREAM_PASSWORD_FILE="$ORDERSCOPE_SECRETS_DIR/victorialogs_password" \
  start_bg log-gateway "access-gateway-cli.js" node packages/ops/dist/src/access/access-gateway-cli.js log-gateway
wait_ready log-gateway "access-gateway-cli.js" "https://127.0.0.1:$LOG_GATEWAY_PORT/health" 60 otel-collector

OTELCOL_STORAGE_DIR="$state/otelcol/queue" CERTS_DIR="$ORDERSCOPE_CERTS_DIR/otel-collector" \
  start_bg otelcol "$otelcol_bin" "$otelcol_bin" --config "file:$root/collector/config.yaml" \
    --feature-gates=processor.tailsamplingprocessor.recordpolicy
wait_ready otelcol "$otelcol_bin" "http://127.0.0.1:13133/" 60

# --- Alertmanager (built once from its pinned Go module; alertmanager/alertmanager.yml) ----------
# It runs in alertmanager/: its receiver's URL file (receivers/crm-incidents-url) is relative to
# the working directory (compose: /etc/alertmanager). No cluster: one instance.
am_bin="$(bash scripts/build-alertmanager.sh | tail -n 1)"
mkdir -p "$state/alertmanager"
start_bg alertmanager "$root/alertmanager/alertmanager.yml" env -C "$root/alertmanager" "$am_bin" \
  --config.file="$root/alertmanager/alertmanager.yml" \
  --web.config.file="$root/alertmanager/web.yml" \
  --storage.path="$state/alertmanager" \
  --web.listen-address="127.0.0.1:$ALERTMANAGER_DIRECT_PORT" \
  --cluster.listen-address=
wait_ready alertmanager "$root/alertmanager/alertmanager.yml" "https://127.0.0.1:$ALERTMANAGER_DIRECT_PORT/-/ready" 60 alertmanager

# --- Prometheus (built once from its pinned Go module, the version compose's image pins) ---------
prom_bin="$(bash scripts/build-prometheus.sh | tail -n 1)"
mkdir -p "$state/prometheus"
start_bg prometheus "$root/prometheus/prometheus.yml" "$prom_bin" \
  --config.file="$root/prometheus/prometheus.yml" \
  --storage.tsdb.path="$state/prometheus" \
  --storage.tsdb.retention.time="${PROMETHEUS_RETENTION:-15d}" \
  --storage.tsdb.retention.size=2GB \
  --web.listen-address="127.0.0.1:$PROMETHEUS_DIRECT_PORT" \
  --web.config.file="$root/prometheus/web.yml" \
  --enable-feature=exemplar-storage
wait_ready prometheus "$root/prometheus/prometheus.yml" "https://127.0.0.1:$PROMETHEUS_DIRECT_PORT/-/ready" 60 prometheus

# --- Keycloak (Maven Central's distribution, built for PostgreSQL; keycloak/realm-orderscope.json) --
# Production mode: HTTPS only with the stack's certificate, its own database, no cluster, the
# realm imported on the first start (later starts keep what is in the database). The realm's
# placeholders are filled from the generated secrets. docs/access-control.md.
kc_home="$(bash scripts/build-keycloak.sh | tail -n 1)"
mkdir -p "$kc_home/data/import"
cp "$root/keycloak/realm-orderscope.json" "$kc_home/data/import/"
KC_DB_URL_HOST=127.0.0.1 KC_DB_URL_PORT="$PGPORT" KC_DB_URL_DATABASE=keycloak KC_DB_USERNAME=keycloak \
JAVA_OPTS_KC_HEAP="$KEYCLOAK_JAVA_OPTS_KC_HEAP" \
  start_bg keycloak "keycloak-" bash keycloak/with-secrets.sh "$ORDERSCOPE_SECRETS_DIR" "$kc_home/bin/kc.sh" start --optimized --cache=local \
    --http-enabled=false --https-port="$KEYCLOAK_PORT" --http-host=127.0.0.1 \
    --http-management-host=127.0.0.1 --http-management-port="$KEYCLOAK_MANAGEMENT_PORT" \
    --https-certificate-file="$ORDERSCOPE_CERTS_DIR/keycloak/server.crt" \
    --https-certificate-key-file="$ORDERSCOPE_CERTS_DIR/keycloak/server.key" \
    --hostname="$KEYCLOAK_URL" --import-realm
wait_ready keycloak "keycloak-" "https://127.0.0.1:$KEYCLOAK_MANAGEMENT_PORT/health/ready" 240

# --- the login in front of Jaeger, Prometheus, Alertmanager and the logs ---------------------------
# For each: oauth2-proxy (built once from its pinned Go module) on the component's published port ->
# the access gateway (one process for all four, on a unix socket per component that only that
# component's oauth2-proxy uses; it writes the component's access log and reaches it over mTLS,
# which oauth2-proxy cannot) -> the component on its own loopback port, which wants a client
# certificate. Engineers and admins only; a Keycloak access token (aud oauth2-proxy) is taken as a
# bearer too. docs/access-control.md.
o2p_bin="$(bash scripts/build-oauth2-proxy.sh | tail -n 1)"
o2p_certs="$ORDERSCOPE_CERTS_DIR/oauth2-proxy" gw_certs="$ORDERSCOPE_CERTS_DIR/access-gateway"
LOGINS=(jaeger prometheus alertmanager victorialogs)
declare -A LOGIN_PORT=([jaeger]=16686 [prometheus]=9090 [alertmanager]=9093 [victorialogs]=9428)
declare -A LOGIN_UPSTREAM=([jaeger]="https://localhost:$JAEGER_DIRECT_PORT" [prometheus]="https://localhost:$PROMETHEUS_DIRECT_PORT"
  [alertmanager]="https://localhost:$ALERTMANAGER_DIRECT_PORT" [victorialogs]="https://localhost:$LOG_GATEWAY_PORT")
login_socket() { echo "$state/run/access-$1.sock"; }
# name=socket=upstream for each (ACCESS_COMPONENTS, packages/ops/src/access/access-components.ts);
# each component's access log is $ACCESS_LOG_DIR/<component>-access.<n>.jsonl.
access_components=""
for c in "${LOGINS[@]}"; do access_components+="${access_components:+,}$c=$(login_socket "$c")=${LOGIN_UPSTREAM[$c]}"; done
ACCESS_COMPONENTS="$access_components" \
TLS_CA_FILE="$gw_certs/ca.crt" TLS_CERT_FILE="$gw_certs/client.crt" TLS_KEY_FILE="$gw_certs/client.key" \
ACCESS_OTLP_ENDPOINT="https://127.0.0.1:4319" ACCESS_OTLP_TOKEN_FILE="$ORDERSCOPE_SECRETS_DIR/otlp_token_access_gateway" \
  start_bg access-gateway "access-gateway-cli.js" node packages/ops/dist/src/access/access-gateway-cli.js login
# Until every socket answers the gateway's own health (its probe, as compose's healthcheck). kill -0,
# not `alive`: while nohup execs node, /proc/PID/cmdline can read empty for an instant.
gw_deadline=$((SECONDS + 30))
until ACCESS_COMPONENTS="$access_components" node packages/ops/dist/src/access/access-gateway-probe.js 2>"$state/logs/access-gateway-probe.log"; do
  if ((SECONDS >= gw_deadline)) || ! kill -0 "$(cat "$state/run/access-gateway.pid")" 2>/dev/null; then
    log "the access gateway did not answer on every socket:"
    cat "$state/logs/access-gateway-probe.log" >&2
    log "its last log lines:"
    tail -n 20 "$state/logs/access-gateway.log" >&2
    exit 1
  fi
  sleep 0.2
done
for c in "${LOGINS[@]}"; do
  port="${LOGIN_PORT[$c]}"
  start_bg "oauth2-proxy-$c" "oauth2-proxy" "$o2p_bin" --config="$root/oauth2-proxy/oauth2-proxy.cfg" \
    --http-address= --https-address="127.0.0.1:$port" \
    --tls-cert-file="$o2p_certs/server.crt" --tls-key-file="$o2p_certs/server.key" \
    --oidc-issuer-url="$KEYCLOAK_URL/realms/orderscope" --provider-ca-file="$o2p_certs/ca.crt" \
    --client-secret-file="$ORDERSCOPE_SECRETS_DIR/oidc_client_secret_oauth2_proxy" \
    --cookie-secret-file="$ORDERSCOPE_SECRETS_DIR/oauth2_proxy_cookie_secret" \
    --cookie-name="_orderscope_$c" --redirect-url="https://localhost:$port/oauth2/callback" \
    --backend-logout-url="$KEYCLOAK_URL/realms/orderscope/protocol/openid-connect/logout?id_token_hint={id_token}" \
    --upstream="unix://$(login_socket "$c")"
  wait_ready "oauth2-proxy-$c" "oauth2-proxy" "https://127.0.0.1:$port/ping" 30
done

# --- the services ---------------------------------------------------------------------------------

for svc in "${SERVICES[@]}"; do
  # The SDK is loaded before the service (--import), so its libraries are instrumented.
  # Spans leave over mTLS with the service's own API key; /metrics is served over mTLS.
  certs="$ORDERSCOPE_CERTS_DIR/$svc"
  DB_PASSWORD_FILE="$ORDERSCOPE_SECRETS_DIR/db_password_${SERVICE_SCHEMA[$svc]}" \
  UPLOAD_DIR="$state/uploads/$svc" \
  OTEL_SERVICE_NAME="$svc" \
  OTEL_EXPORTER_OTLP_ENDPOINT="https://127.0.0.1:4318" \
  OTEL_EXPORTER_OTLP_CERTIFICATE="$certs/ca.crt" \
  OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE="$certs/client.crt" \
  OTEL_EXPORTER_OTLP_CLIENT_KEY="$certs/client.key" \
  OTEL_EXPORTER_OTLP_TOKEN_FILE="$ORDERSCOPE_SECRETS_DIR/otlp_token_${SERVICE_SCHEMA[$svc]}" \
  METRICS_PORT="${SERVICE_METRICS_PORT[$svc]}" METRICS_TOKEN_FILE="$ORDERSCOPE_SECRETS_DIR/prometheus_scrape_token" \
  TLS_CA_FILE="$certs/ca.crt" TLS_CERT_FILE="$certs/server.crt" TLS_KEY_FILE="$certs/server.key" \
  ALERTS_WEBHOOK_TOKEN_FILE="$([[ $svc == crm ]] && echo "$ORDERSCOPE_SECRETS_DIR/alerts_webhook_token")" \
  TLS_PROBE_TARGETS="$([[ $svc == crm ]] && echo "$TLS_PROBE_TARGETS")" \
  RUM_OTLP_TOKEN_FILE="$([[ $svc == shop ]] && echo "$ORDERSCOPE_SECRETS_DIR/otlp_token_storefront")" \
  NODE_OPTIONS="$SERVICE_NODE_OPTIONS" \
    start_bg "$svc" "services/$svc/" node --import @orderscope/service-kit/telemetry/register "services/$svc/dist/src/main.js"
  # The CRM first: every other service records its transitions in the CRM's registry.
  wait_ready "$svc" "services/$svc/" "http://127.0.0.1:${SERVICE_PORT[$svc]}/health/ready" 60
done
log "ready: shop :8081, mes-api :8082, crm :8083, mes :8084 (metrics https :9481-:9484), postgres :$PGPORT, collector :4317/:4318 (mTLS), keycloak https://localhost:$KEYCLOAK_PORT, jaeger https://localhost:16686 (login; direct, mTLS machines: :$JAEGER_DIRECT_PORT), prometheus https://localhost:9090 (login; direct :$PROMETHEUS_DIRECT_PORT), alertmanager https://localhost:9093 (login; direct :$ALERTMANAGER_DIRECT_PORT), logs (VictoriaLogs) https://localhost:9428 (login; direct :$LOG_GATEWAY_PORT)"
