#!/usr/bin/env bash
# npm run test:compose — the demo's front door for real: a Docker Engine (scripts/compose-engine.sh),
# stand-ins for the images no registry gives here (scripts/compose-standins.sh), the project's own
# images built by `docker compose build`, then the unmodified docker-compose.yml brought up (every
# service but Grafana: docs/compose-test.md), watched until each one-shot is done and each service
# healthy, tested through its published ports (e2e/test/compose), and `docker compose down -v`.
# The engine is stopped again if this run started it. Needs root (dockerd), iptables, debootstrap.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step() { printf '\n=== test:compose: %s (%ss)\n' "$*" "$SECONDS"; }

# Compose publishes the native stack's ports: both cannot run at once.
busy=()
for port in $(node -e 'const t=require("./packages/orders/src/topology.json");console.log(Object.values(t.services).map(s=>s.port).join(" "))') 16686 9090 9093 9428 8443; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then busy+=("$port"); fi
done
if ((${#busy[@]})); then
  echo "test:compose: 127.0.0.1 ports ${busy[*]} are taken (the native stack? npm run local:down)" >&2
  exit 1
fi

step "engine"
engine_was_up=0
[[ -f .local/engine/run/dockerd.pid ]] && kill -0 "$(cat .local/engine/run/dockerd.pid)" 2>/dev/null && engine_was_up=1
eval "$(bash scripts/compose-engine.sh up)"
cleanup() { # exit status of the run
  local rc=$1
  # The trap runs under set -e: nothing here may end it before `down -v` and the engine's stop.
  set +e
  step "docker compose down -v"
  if ((rc != 0)); then docker compose ps --all >&2 || true; docker compose logs --no-color --tail 40 >&2 || true; fi
  docker compose down -v --remove-orphans --timeout 20 || true
  left="$(docker ps -aq --filter label=com.docker.compose.project=orderscope; docker volume ls -q --filter label=com.docker.compose.project=orderscope; docker network ls -q --filter label=com.docker.compose.project=orderscope)"
  if [[ -n "$left" ]]; then echo "test:compose: down -v left: $left" >&2; rc=1; fi
  if ((engine_was_up == 0)); then bash scripts/compose-engine.sh down; fi
  step "done (exit $rc)"
  exit "$rc"
}
trap 'cleanup $?' EXIT

step "stand-ins"
bash scripts/compose-standins.sh

step "docker compose build"
# Behind a TLS-inspecting proxy (these machines), npm in the build needs its CA: the one Node uses here.
if [[ -z "${ORDERSCOPE_BUILD_CA_FILE:-}" && -s "${NODE_EXTRA_CA_CERTS:-}" ]]; then export ORDERSCOPE_BUILD_CA_FILE="$NODE_EXTRA_CA_CERTS"; fi
# The whole log in .local/engine/build.log (printed on failure); here, what was built.
if ! docker compose --progress plain build >.local/engine/build.log 2>&1; then
  tail -60 .local/engine/build.log >&2
  exit 1
fi
grep -oE 'naming to [^ ]+' .local/engine/build.log | sort | uniq -c
# The app image is built once (only secrets-init has its build section), not once per service.
built_app="$(grep -c "naming to docker.io/library/orderscope-app:" .local/engine/build.log || true)"
if [[ "$built_app" != 1 ]]; then echo "test:compose: the app image was built $built_app times" >&2; exit 1; fi
# An image replaced by this build (an earlier run's) is left dangling: drop it.
docker image prune -f >/dev/null

step "docker compose up (every service but grafana)"
mapfile -t services < <(docker compose config --services | grep -vx grafana)
docker compose up --detach --no-build "${services[@]}" &
up_pid=$!
node scripts/compose-wait.mjs --deadline 300 "${services[@]}"
wait "$up_pid"
docker compose exec -T postgres postgres --version

step "tests through the published ports"
# What the one-shots made: the certificates are on the host (./certs/compose), the secrets in the
# volume; the tests read a copy of the secrets, removed afterwards.
secrets="$(mktemp -d)"
trap 'rc=$?; rm -rf "$secrets"; cleanup "$rc"' EXIT
docker run --rm --user 0 --network none -v orderscope_secrets:/secrets:ro debian:bookworm-slim tar -C /secrets -c . | tar -x -C "$secrets"
npm run -s build
ORDERSCOPE_CERTS_DIR="$root/certs/compose" ORDERSCOPE_SECRETS_DIR="$secrets" \
  ORDERSCOPE_VIA_LOGIN=engineer bash scripts/with-node24.sh node --test --test-concurrency=1 "e2e/dist/test/compose/*.compose.js"
