#!/usr/bin/env bash
# Validates collector/config.yaml and jaeger/config.yaml with the very binaries the native stack
# runs (built once from the pinned Go modules), with compose's environment and with the native
# defaults, so that both ways of running read a valid file; and prometheus/prometheus.yml (with
# the native targets and with compose's), its rules and their unit tests with promtool (built with
# the native Prometheus, scripts/build-prometheus.sh: the version both stacks run); and that Grafana's provisioned data
# sources parse and read only certificate files that certs-init makes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# The configs name secrets (`${file:...}`, credentials_file) and certificates that must exist to be
# checked: make them as local:up does (only what is missing; nothing is committed).
source scripts/local-env.sh
node packages/ops/dist/src/secrets/secrets-cli.js "$ORDERSCOPE_SECRETS_DIR" >/dev/null
node packages/ops/dist/src/tls/certs-cli.js "$ORDERSCOPE_CERTS_DIR" >/dev/null
otelcol="$(bash scripts/build-otelcol.sh | tail -n 1)"
jaeger="$(bash scripts/build-jaeger.sh | tail -n 1)"
promtool="$(dirname "$(bash scripts/build-prometheus.sh | tail -n 1)")/promtool"
amtool="$(dirname "$(bash scripts/build-alertmanager.sh | tail -n 1)")/amtool"
"$otelcol" validate --feature-gates=processor.tailsamplingprocessor.recordpolicy --config "file:collector/config.yaml"
# Compose's environment (docker-compose.yml), except SECRETS_DIR: `${file:...}` reads a secret while
# the config is resolved, so it points at the native secrets (compose's /secrets is a volume).
# Certificate files are only opened at start: compose's CERTS_DIR is taken as it is.
compose_secrets="$root/.local/secrets"
OTELCOL_LISTEN_HOST=0.0.0.0 JAEGER_OTLP_ENDPOINT=jaeger:4317 OTELCOL_STORAGE_DIR=/var/lib/otelcol/queue \
  OTELCOL_MEMORY_LIMIT_MIB=200 LOG_STORE_URL=https://log-gateway:9429 CERTS_DIR=/certs/otel-collector SECRETS_DIR="$compose_secrets" \
  "$otelcol" validate --feature-gates=processor.tailsamplingprocessor.recordpolicy --config "file:collector/config.yaml"
"$jaeger" validate --config "file:jaeger/config.yaml"
JAEGER_LISTEN_HOST=0.0.0.0 JAEGER_OTLP_GRPC_PORT=4317 JAEGER_BADGER_DIR=/var/lib/jaeger-plain \
  CERTS_DIR=/certs/jaeger SECRETS_DIR="$compose_secrets" OTELCOL_OTLP_URL=https://otel-collector:4319 \
  PROMETHEUS_URL=https://prometheus:9090 JAEGER_UI_CONFIG=/etc/jaeger/ui-config.json \
  "$jaeger" validate --config "file:jaeger/config.yaml"
# The UI's configuration is read only at start (validate does not open it), and a bad one stops
# Jaeger there: it must be a JSON object whose link patterns each have a type, a url and a text.
node --input-type=module - jaeger/ui-config.json <<'JS'
import { readFileSync } from 'node:fs';
const file = process.argv[2];
const fail = (msg) => { console.error(`check-configs: ${file}: ${msg}`); process.exit(1); };
let cfg;
try { cfg = JSON.parse(readFileSync(file, 'utf8')); } catch (err) { fail(`not valid JSON: ${err.message}`); }
if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) fail('expected a JSON object');
const links = cfg.linkPatterns;
if (!Array.isArray(links) || links.length === 0) fail('expected linkPatterns');
for (const l of links) if (!l.type || typeof l.url !== 'string' || typeof l.text !== 'string') fail(`incomplete link pattern ${JSON.stringify(l)}`);
JS

# Prometheus: promtool only warns about a missing file_sd target file; here that fails.
promtool_config() { # config-file
  local out
  out="$("$promtool" check config "$1" 2>&1)" || { echo "$out"; return 1; }
  echo "$out"
  if grep -q WARNING <<<"$out"; then echo "check-configs: promtool warned about $1" >&2; return 1; fi
}
promtool_config prometheus/prometheus.yml
# Compose's layout (docker-compose.yml): the same config and rules in prometheus/ (the container's
# /etc/prometheus), prometheus/targets-compose mounted as targets/, and beside prometheus/ the
# certificates (certs/prometheus; compose mounts certs/compose/prometheus, owned by 65534: here
# the native ones) and, as .local/secrets, only what compose gives Prometheus (its directory of
# the secrets volume: CONSUMERS.prometheus in packages/ops/src/secrets/secrets.ts), copied from the native secrets.
compose_prom="$(mktemp -d)"
trap 'rm -rf "$compose_prom"' EXIT
mkdir -p "$compose_prom/prometheus" "$compose_prom/certs" "$compose_prom/.local/secrets"
cp prometheus/prometheus.yml "$compose_prom/prometheus/"
cp -r prometheus/rules "$compose_prom/prometheus/rules"
cp -r prometheus/targets-compose "$compose_prom/prometheus/targets"
ln -s "$root/certs/prometheus" "$compose_prom/certs/prometheus"
for name in $(node --input-type=module -e "import { CONSUMERS } from './packages/ops/dist/src/secrets/secrets.js'; console.log(CONSUMERS.prometheus.secrets.join(' '))"); do
  cp "$ORDERSCOPE_SECRETS_DIR/$name" "$compose_prom/.local/secrets/"
done
promtool_config "$compose_prom/prometheus/prometheus.yml"
"$promtool" test rules prometheus/tests/*.yml
prom_checked="prometheus config (native and compose targets), rules and rule tests valid"

# Alertmanager: its one config (relative paths from its directory: the stack's secrets beside it,
# as natively; compose mounts the same layout under /etc), and its receivers' URL files.
"$amtool" check-config alertmanager/alertmanager.yml
for f in alertmanager/receivers/* alertmanager/receivers-compose/*; do
  [[ -f "alertmanager/receivers/$(basename "$f")" && -f "alertmanager/receivers-compose/$(basename "$f")" ]] ||
    { echo "check-configs: $f has no counterpart in the other stack's receivers" >&2; exit 1; }
  grep -qE '^https?://[^ ]+$' "$f" || { echo "check-configs: $f holds no URL" >&2; exit 1; }
done
prom_checked="$prom_checked; alertmanager config valid"

# Grafana runs in compose only (no binary here): its provisioned data sources must parse, and every
# file they read with $__file{...} must be one that certs-init makes: Grafana's provisioning fails
# at start on a missing file. /etc/grafana/certs in the container is ./certs/compose/grafana (compose's
# mount; the same layout), here $ORDERSCOPE_CERTS_DIR/grafana, made above. YAML: the `yaml` package in node_modules.
GRAFANA_CERTS="$ORDERSCOPE_CERTS_DIR/grafana" node --input-type=module - grafana/provisioning/datasources/datasources.yml <<'JS'
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
const file = process.argv[2];
const fail = (msg) => { console.error(`check-configs: ${file}: ${msg}`); process.exit(1); };
let doc;
try { doc = parse(readFileSync(file, 'utf8'), { prettyErrors: true }); } catch (err) { fail(`not valid YAML: ${err.message}`); }
if (doc?.apiVersion !== 1 || !Array.isArray(doc.datasources)) fail('expected apiVersion: 1 and a datasources list');
const uids = doc.datasources.map((ds) => ds.uid);
for (const uid of ['prometheus', 'jaeger', 'postgres', 'alertmanager', 'victorialogs']) if (!uids.includes(uid)) fail(`no data source with uid ${uid}`);
// The dashboards' provider reads the JSON from where compose mounts ./grafana/provisioning.
const provider = parse(readFileSync('grafana/provisioning/dashboards/dashboards.yml', 'utf8'));
if (provider?.apiVersion !== 1 || provider.providers?.[0]?.options?.path !== '/etc/grafana/provisioning/dashboards') {
  fail('grafana/provisioning/dashboards/dashboards.yml: expected apiVersion 1 and a file provider reading /etc/grafana/provisioning/dashboards');
}
// Every data source a dashboard names (panels and their queries) is provisioned here.
const { readdirSync } = await import('node:fs');
const dashDir = 'grafana/provisioning/dashboards';
for (const name of readdirSync(dashDir).filter((f) => f.endsWith('.json'))) {
  const named = new Set();
  const walk = (v) => {
    if (!v || typeof v !== 'object') return;
    if (v.datasource && typeof v.datasource === 'object' && v.datasource.uid) named.add(v.datasource.uid);
    Object.values(v).forEach(walk);
  };
  walk(JSON.parse(readFileSync(`${dashDir}/${name}`, 'utf8')));
  for (const uid of named) if (!uids.includes(uid)) fail(`${dashDir}/${name} reads data source ${uid}, which is not provisioned`);
}
if (new Set(uids).size !== uids.length) fail(`duplicate uids: ${uids.join(', ')}`);
// Every string value at any depth (comments are not values).
const strings = (v) => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : []);
const refs = strings(doc).flatMap((s) => [...s.matchAll(/\$__file\{([^}]*)\}/g)].map((m) => m[1]));
if (refs.length === 0) fail('no $__file{...} reference: the TLS files are expected here');
const mount = '/etc/grafana/certs/';
// Secrets: Grafana's directory of the secrets volume, at /secrets (CONSUMERS.grafana).
const { CONSUMERS } = await import('./packages/ops/dist/src/secrets/secrets.js');
for (const path of refs.filter((p) => p.startsWith('/secrets/'))) {
  if (!CONSUMERS.grafana.secrets.includes(path.slice('/secrets/'.length))) fail(`$__file{${path}}: not a secret Grafana gets (CONSUMERS.grafana)`);
}
for (const path of refs.filter((p) => !p.startsWith('/secrets/'))) {
  if (!path.startsWith(mount)) fail(`$__file{${path}}: not under ${mount}, the only certificates mounted`);
  const local = `${process.env.GRAFANA_CERTS}/${path.slice(mount.length)}`;
  let st;
  try { st = statSync(local); } catch { fail(`$__file{${path}}: ${local} does not exist (certs-init makes ca.crt, client.crt|key, server.crt|key)`); }
  if (!st.isFile() || st.size === 0) fail(`$__file{${path}}: ${local} is not a non-empty file`);
}
console.log(`check-configs: ${file}: ${uids.join(', ')}; ${refs.length} $__file references found in certs/grafana`);
JS
node scripts/check-versions.mjs
echo "check-configs: collector and jaeger configs valid (native and compose environments); $prom_checked; grafana data sources valid"
