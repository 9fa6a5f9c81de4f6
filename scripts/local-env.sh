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
# local:up generates these files on its first run.
export INTERNAL_API_TOKEN_FILE="$ORDERSCOPE_SECRETS_DIR/internal_api_token"
export ADMIN_TOKEN_FILE="$ORDERSCOPE_SECRETS_DIR/admin_token"
export USER_ID_HMAC_KEY_FILE="$ORDERSCOPE_SECRETS_DIR/user_id_hmac_key"
SERVICES=(crm mes mes-api shop)
declare -A SERVICE_PORT=([shop]=8081 [mes-api]=8082 [crm]=8083 [mes]=8084)
declare -A SERVICE_SCHEMA=([shop]=shop [mes-api]=mes_api [crm]=crm [mes]=mes)
declare -A SERVICE_METRICS_PORT=([shop]=9481 [mes-api]=9482 [crm]=9483 [mes]=9484)
