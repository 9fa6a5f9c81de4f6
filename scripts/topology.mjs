#!/usr/bin/env node
// The copies of the topology that other tools must read as files of their own, kept in step with
// packages/orders/src/topology.json (the one source):
//   node scripts/topology.mjs write   regenerates Prometheus's service targets (native and compose)
//   node scripts/topology.mjs check   fails if they, or docker-compose.yml's ports, URLs and names,
//                                     drifted from it (npm run check)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { services } = JSON.parse(readFileSync(join(root, 'packages/orders/src/topology.json'), 'utf8'));
const names = Object.keys(services);

const TARGETS = {
  'prometheus/targets/services.yml': {
    header: '# Native stack (npm run local:up): everything on loopback. `service` names the service.',
    host: () => '127.0.0.1',
  },
  'prometheus/targets-compose/services.yml': {
    header: '# Compose: docker-compose.yml mounts this directory over /etc/prometheus/targets.',
    host: (name) => name,
  },
};
const generated = (file) => {
  const { header, host } = TARGETS[file];
  const lines = [`${header}`, '# Generated from packages/orders/src/topology.json: node scripts/topology.mjs write'];
  for (const name of names) lines.push(`- targets: ["${host(name)}:${services[name].metricsPort}"]`, `  labels: { service: ${name} }`);
  return `${lines.join('\n')}\n`;
};

/** What docker-compose.yml must say of each service, by the topology. */
function composeProblems() {
  // (The compose file writes its shared blocks once and merges them in: many aliases, by design.)
  const compose = YAML.parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true, maxAliasCount: 1000 });
  const problems = [];
  const want = (where, actual, expected) => {
    if (String(actual) !== String(expected)) problems.push(`${where}: ${actual ?? '(missing)'}, the topology says ${expected}`);
  };
  for (const name of names) {
    const s = services[name];
    const env = compose.services?.[name]?.environment ?? {};
    want(`docker-compose.yml ${name}.environment.PORT`, env.PORT, s.port);
    want(`docker-compose.yml ${name}.environment.METRICS_PORT`, env.METRICS_PORT, s.metricsPort);
    want(`docker-compose.yml ${name}.environment.OTEL_SERVICE_NAME`, env.OTEL_SERVICE_NAME, name);
    want(`docker-compose.yml ${name}.environment.DB_PASSWORD_FILE`, env.DB_PASSWORD_FILE, `/secrets/db_password_${s.dbSchema}`);
    want(`docker-compose.yml x-urls.${s.urlEnv}`, compose['x-urls']?.[s.urlEnv], `http://${name}:${s.port}`);
    // A published API port maps to the service's own port.
    for (const published of compose.services?.[name]?.ports ?? []) {
      want(`docker-compose.yml ${name}.ports ${published}`, String(published).split(':').at(-1), s.port);
    }
  }
  return problems;
}

const [command] = process.argv.slice(2);
if (command === 'write') {
  for (const file of Object.keys(TARGETS)) writeFileSync(join(root, file), generated(file));
  console.log(`topology: wrote ${Object.keys(TARGETS).join(', ')}`);
} else if (command === 'check') {
  const problems = [
    ...Object.keys(TARGETS)
      .filter((file) => readFileSync(join(root, file), 'utf8') !== generated(file))
      .map((file) => `${file} is not what the topology makes (node scripts/topology.mjs write)`),
    ...composeProblems(),
  ];
  if (problems.length) {
    console.error(`topology: drift from packages/orders/src/topology.json:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`topology: ${names.length} services; Prometheus targets and docker-compose.yml agree with it`);
} else {
  console.error('usage: node scripts/topology.mjs write|check');
  process.exit(2);
}
