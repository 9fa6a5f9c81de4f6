#!/usr/bin/env bash
# Runs Keycloak (or any command) with the secrets it needs as the variables it reads: its database
# password and break-glass admin (KC_*), and what keycloak/realm-orderscope.json imports through
# ${...} placeholders. The same mapping natively (scripts/local-up.sh) and in compose (entrypoint).
#   keycloak/with-secrets.sh SECRETS_DIR COMMAND [ARGS...]
set -euo pipefail
dir="$1"
shift
read_secret() { tr -d '\n' <"$dir/$1"; }
export KC_DB_PASSWORD="$(read_secret db_password_keycloak)"
export KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-break-glass}"
export KC_BOOTSTRAP_ADMIN_PASSWORD="$(read_secret keycloak_admin_password)"
export OIDC_CLIENT_SECRET_OAUTH2_PROXY="$(read_secret oidc_client_secret_oauth2_proxy)"
export OIDC_CLIENT_SECRET_GRAFANA="$(read_secret oidc_client_secret_grafana)"
for user in viewer engineer admin outsider; do
  export "DEMO_PASSWORD_${user^^}=$(read_secret "demo_password_$user")"
done
exec "$@"
