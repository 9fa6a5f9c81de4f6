#!/bin/bash
# The part of the official postgres entrypoint that docker-compose.yml relies on: as root, own
# PGDATA and re-run as postgres; on an empty PGDATA, initdb with POSTGRES_USER and the password
# from POSTGRES_PASSWORD_FILE (or POSTGRES_PASSWORD), create POSTGRES_DB, listen on every
# interface with scram-sha-256 for TCP; then exec the server.
set -euo pipefail
if [[ "${1:-}" == -* ]]; then set -- postgres "$@"; fi
if [[ "${1:-}" != postgres ]]; then exec "$@"; fi

if [[ "$(id -u)" == 0 ]]; then
  mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 0700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [[ -n "${POSTGRES_PASSWORD_FILE:-}" ]]; then POSTGRES_PASSWORD="$(<"$POSTGRES_PASSWORD_FILE")"; fi
user="${POSTGRES_USER:-postgres}"
if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  [[ -n "${POSTGRES_PASSWORD:-}" ]] || { echo "postgres stand-in: POSTGRES_PASSWORD(_FILE) is required" >&2; exit 1; }
  initdb --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") --auth-local=trust --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  db="${POSTGRES_DB:-$user}"
  if [[ "$db" != postgres ]]; then
    postgres --single -D "$PGDATA" -c listen_addresses='' postgres <<<"CREATE DATABASE \"$db\";" >/dev/null
  fi
  echo "postgres stand-in: initialised $PGDATA ($(postgres --version))"
fi
exec postgres -c listen_addresses='*' "${@:2}"
