# Sourced by the native-stack scripts: where the native stack keeps its state, and the environment
# its processes share. Secrets are passed as *_FILE paths, as compose does, never as values.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Fixed, not overridable: prometheus/prometheus.yml and web.yml name the certificates and the scrape
# key relative to their own directory (../certs, ../.local/secrets; Prometheus 2.x cannot read the
# environment), and everything else must agree with them.
export ORDERSCOPE_STATE="$root/.local"
export ORDERSCOPE_SECRETS_DIR="$ORDERSCOPE_STATE/secrets"
# The stack's CA and every component's certificates (orderscope-certs; compose keeps its own set in
# certs/compose, owned by its containers' users).
export ORDERSCOPE_CERTS_DIR="$root/certs"
export PGPORT="${PGPORT:-5432}"
export DB_PORT="$PGPORT"
export DEPLOYMENT_ENVIRONMENT="${DEPLOYMENT_ENVIRONMENT:-native}"
# The CRM's allowed time in each status runs at the simulator's pace, when one is set.
if [ -n "${SIM_TIME_SCALE:-}" ]; then export ORDER_TIME_SCALE="${ORDER_TIME_SCALE:-$SIM_TIME_SCALE}"; fi
# Keycloak (the identity provider) and Jaeger's own port behind its login (docs/access-control.md).
export KEYCLOAK_PORT=8443 KEYCLOAK_MANAGEMENT_PORT=9000 KEYCLOAK_URL="https://localhost:8443" JAEGER_DIRECT_PORT=16687
# Prometheus's and Alertmanager's own ports (mTLS, machines); their logins take 9090 and 9093.
export PROMETHEUS_DIRECT_PORT=9091 ALERTMANAGER_DIRECT_PORT=9095
# The log store (docs/logging.md): VictoriaLogs on loopback (TLS, a password only the log gateway
# holds), the log gateway (its mTLS door) and its login (9428, VictoriaLogs' usual port).
export VICTORIALOGS_PORT=9430 LOG_GATEWAY_PORT=9429 LOG_STORE_URL="https://127.0.0.1:9429"
# The CRM watches the certificates of the stack's other TLS servers (CertificateExpiresSoon).
export TLS_PROBE_TARGETS="otel-collector=127.0.0.1:4318,jaeger=127.0.0.1:$JAEGER_DIRECT_PORT,oauth2-proxy=localhost:16686,prometheus=127.0.0.1:$PROMETHEUS_DIRECT_PORT,alertmanager=127.0.0.1:$ALERTMANAGER_DIRECT_PORT,keycloak=localhost:$KEYCLOAK_PORT,log-gateway=127.0.0.1:$LOG_GATEWAY_PORT"
# Who read which traces (one JSON record per request through the login): docs/access-control.md.
export ACCESS_LOG_DIR="$ORDERSCOPE_STATE/logs/access"
# local:up generates these files on its first run.
export INTERNAL_API_TOKEN_FILE="$ORDERSCOPE_SECRETS_DIR/internal_api_token"
export ADMIN_TOKEN_FILE="$ORDERSCOPE_SECRETS_DIR/admin_token"
export USER_ID_HMAC_KEY_FILE="$ORDERSCOPE_SECRETS_DIR/user_id_hmac_key"
# What follows reads docker-compose.yml with the project's yaml package: a fresh clone installs it first.
[[ -d "$root/node_modules" ]] || (cd "$root" && npm ci --no-audit --no-fund >&2)
# The services, their ports, metrics ports and schemas: from the one topology file. Started in
# this order: the CRM (the registry every other records in) first.
eval "$(node -e '
  const { services } = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const names = Object.keys(services).sort((a, b) => (a === "crm" ? -1 : b === "crm" ? 1 : a.localeCompare(b)));
  const map = (field) => names.map((n) => `[${n}]=${services[n][field]}`).join(" ");
  console.log(`SERVICES=(${names.join(" ")})`);
  console.log(`declare -A SERVICE_PORT=(${map("port")})`);
  console.log(`declare -A SERVICE_SCHEMA=(${map("dbSchema")})`);
  console.log(`declare -A SERVICE_METRICS_PORT=(${map("metricsPort")})`);
' "$root/packages/orders/src/topology.json")"
# The services' Node options (their heap's bound): compose's x-app-env, the one place they are written;
# ORDERSCOPE_SERVICE_NODE_OPTIONS_EXTRA adds some for one start (e.g. --cpu-prof: docs/performance.md).
compose_value() { # key path... — a value docker-compose.yml writes once (its anchors merged); fails if missing
  node -e '
    const [root, ...path] = process.argv.slice(1);
    const YAML = require(require.resolve("yaml", { paths: [root] }));
    const compose = YAML.parse(require("node:fs").readFileSync(`${root}/docker-compose.yml`, "utf8"), { merge: true, maxAliasCount: 1000 });
    const v = path.reduce((o, k) => (o == null ? o : o[k]), compose);
    if (typeof v !== "string" || !v) { console.error(`docker-compose.yml has no ${path.join(".")}`); process.exit(1); }
    process.stdout.write(v);
  ' "$root" "$@"
}
SERVICE_NODE_OPTIONS="$(compose_value x-app-env NODE_OPTIONS)${ORDERSCOPE_SERVICE_NODE_OPTIONS_EXTRA:+ $ORDERSCOPE_SERVICE_NODE_OPTIONS_EXTRA}"
# Keycloak's JVM heap: compose's, the one place it is written.
KEYCLOAK_JAVA_OPTS_KC_HEAP="$(compose_value services keycloak environment JAVA_OPTS_KC_HEAP)"
# Jaeger's Go memory limit: compose's. Natively too it bounds the heap Badger's compactions grow
# (docs/performance.md, B4); the other Go programs' limits only matter under a container's.
JAEGER_GOMEMLIMIT="$(compose_value services jaeger environment GOMEMLIMIT)"
