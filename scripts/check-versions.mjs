#!/usr/bin/env node
// One version of each component, in compose and in the native build alike: fails if they drift.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const read = (path) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const compose = read('docker-compose.yml');
const image = (name) => new RegExp(`image:\\s*${name.replace('/', '\\/')}:([\\w.-]+)`).exec(compose)?.[1];
const checks = [
  {
    component: 'OpenTelemetry Collector',
    compose: image('otel/opentelemetry-collector-contrib'),
    native: /^\s*version:\s*"?([\d.]+)"?/m.exec(read('collector/builder-config.yaml'))?.[1],
  },
  {
    // Compose builds jaeger/Dockerfile, which copies the binary out of the official image.
    component: 'Jaeger',
    compose: /^COPY\s+--from=jaegertracing\/jaeger:([\w.-]+)\s/m.exec(read('jaeger/Dockerfile'))?.[1],
    native: /^JAEGER_VERSION="?([\d.]+)"?/m.exec(read('scripts/build-jaeger.sh'))?.[1],
  },
];

checks.push({
  // Natively built from a pinned copy of its Go module: scripts/build-alertmanager.sh.
  component: 'Alertmanager',
  compose: /^v?(\d+\.\d+\.\d+)$/.exec(image('prom/alertmanager') ?? '')?.[1],
  native: /^AM_VERSION="?([\d.]+)"?/m.exec(read('scripts/build-alertmanager.sh'))?.[1],
});
checks.push({
  // Natively built from its Go module (v0.313.x is release 3.13.x): scripts/build-prometheus.sh.
  component: 'Prometheus',
  compose: /^v?(\d+\.\d+\.\d+)$/.exec(image('prom/prometheus') ?? '')?.[1],
  native: /^PROM_VERSION="?([\d.]+)"?/m.exec(read('scripts/build-prometheus.sh'))?.[1],
});

checks.push({
  // Natively Maven Central's distribution of the same release: scripts/build-keycloak.sh.
  component: 'Keycloak',
  compose: image('quay.io/keycloak/keycloak'),
  native: /^KC_VERSION="?([\d.]+)"?/m.exec(read('scripts/build-keycloak.sh'))?.[1],
});
checks.push({
  // Natively built from its Go module: scripts/build-oauth2-proxy.sh.
  component: 'oauth2-proxy',
  compose: image('quay.io/oauth2-proxy/oauth2-proxy'),
  native: /^O2P_VERSION="?(v[\d.]+)"?/m.exec(read('scripts/build-oauth2-proxy.sh'))?.[1],
});

checks.push({
  // Natively built from its Go module: scripts/build-victorialogs.sh.
  component: 'VictoriaLogs',
  compose: image('victoriametrics/victoria-logs'),
  native: /^VL_VERSION="?(v[\d.]+)"?/m.exec(read('scripts/build-victorialogs.sh'))?.[1],
});
// Grafana's VictoriaLogs plugin, pinned in compose's environment and, if there, in grafana.ini
// (the environment wins: a drift would run a version the ini does not say).
const iniPlugin = /^\s*preinstall_sync\s*=\s*victoriametrics-logs-datasource@([\w.-]+)/m.exec(read('grafana/grafana.ini'))?.[1];
if (iniPlugin !== undefined) {
  checks.push({
    component: 'Grafana plugin victoriametrics-logs-datasource',
    compose: /GF_PLUGINS_PREINSTALL_SYNC:\s*victoriametrics-logs-datasource@([\w.-]+)/.exec(compose)?.[1],
    native: iniPlugin,
    nativeName: 'grafana.ini',
  });
}

// PostgreSQL natively is Debian's postgresql-15, whose point release follows upstream's in Debian
// stable: the major version must be compose's; a point-release drift (compose's tag pinned, the
// machine's package updated) is named here, not failed, since the archive keeps no older build.
let pgVersionOutput;
for (const bin of ['postgres', '/usr/lib/postgresql/15/bin/postgres']) {
  try {
    pgVersionOutput = execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    break;
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
}
const pgCompose = /^(\d+)\.(\d+)/.exec(image('postgres') ?? '');
const pgNative = /\(PostgreSQL\) (\d+)\.(\d+)/.exec(pgVersionOutput ?? '');
if (!pgNative) {
  console.log('skip PostgreSQL: `postgres` is not installed here, so the compose tag is not compared');
} else {
  checks.push({ component: 'PostgreSQL (major)', compose: pgCompose?.[1], native: pgNative[1] });
  const [c, n] = [pgCompose?.slice(1).join('.'), pgNative.slice(1).join('.')];
  if (c !== n) console.log(`note PostgreSQL: compose pins ${c}, the native stack runs Debian's ${n} (a point-release drift)`);
}

let failed = false;
for (const c of checks) {
  const ok = c.compose !== undefined && c.compose === c.native;
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${c.component}: compose ${c.compose ?? '(missing)'}, ${c.nativeName ?? 'native'} ${c.native ?? '(missing)'}`);
}
process.exit(failed ? 1 : 0);
