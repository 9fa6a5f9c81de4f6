#!/usr/bin/env node
// Generates the stack's secrets, one file each, into DIR — only those missing, so re-running keeps
// them (pass --rotate to replace all). Used by compose's secrets-init service and by local:up.
// Nothing here is ever committed: DIR is a volume (compose) or .local/secrets (native).
// Besides the random secrets it writes two files derived from them, rewritten on every run:
//   otlp_api_keys         the API keys the collector accepts on OTLP, one per line with the name
//                         of its holder (bearertokenauth reads the first word of each line and
//                         re-reads the file when it changes: delete a line to revoke a key)
//   jaeger_otlp_htpasswd  the collector's login at Jaeger's OTLP receiver (basicauth), bcrypt
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';

/** Who sends OTLP to the collector, each with its own API key (otlp_token_<name>). */
export const OTLP_CLIENTS = ['shop', 'mes_api', 'crm', 'mes', 'otelcol', 'jaeger'];
/** The user the collector logs in as at Jaeger's OTLP receiver. */
export const JAEGER_OTLP_USER = 'otel-collector';

export const SECRETS = [
  'postgres_password',
  'db_password_shop',
  'db_password_mes_api',
  'db_password_crm',
  'db_password_mes',
  'internal_api_token',
  'admin_token',
  'user_id_hmac_key',
  // Opens Jaeger's encrypted trace store. Never rotated here: a new key would lock the stored traces
  // away (change it with gocryptfs -passwd: docs/storage-encryption.md).
  'jaeger_storage_key',
  ...OTLP_CLIENTS.map((client) => `otlp_token_${client}`),
  'jaeger_otlp_password',
  // What Prometheus shows every metrics endpoint (bearer), besides its client certificate.
  'prometheus_scrape_token',
  // Grafana's admin password (compose); Grafana takes it only when it first creates its database.
  'grafana_admin_password',
];

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
if (!dir) {
  console.error('usage: gen-secrets.mjs DIR [--world-readable] [--rotate]');
  process.exit(2);
}
// In compose the files are read by containers running as other users (postgres, node).
const mode = args.includes('--world-readable') ? 0o444 : 0o400;
const rotate = args.includes('--rotate');
// Read once by their consumers at first start: a new value would not take effect (Grafana keeps its
// admin password in its database) or would lock data away (the trace store's key).
const KEEP_ON_ROTATE = new Set(['jaeger_storage_key', 'grafana_admin_password']);

mkdirSync(dir, { recursive: true, mode: 0o755 });
const created = [];
for (const name of SECRETS) {
  const path = join(dir, name);
  if (existsSync(path) && (!rotate || KEEP_ON_ROTATE.has(name))) continue;
  if (existsSync(path)) chmodSync(path, 0o600);
  writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600 });
  chmodSync(path, mode);
  created.push(name);
}

/** Writes beside, then renames: a reader watching the file never sees half of it. */
function writeDerived(name, content) {
  const path = join(dir, name);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}
const read = (name) => readFileSync(join(dir, name), 'utf8').trim();
writeDerived('otlp_api_keys', OTLP_CLIENTS.map((client) => `${read(`otlp_token_${client}`)} ${client}\n`).join(''));
writeDerived('jaeger_otlp_htpasswd', `${JAEGER_OTLP_USER}:${bcrypt.hashSync(read('jaeger_otlp_password'), 10)}\n`);

console.log(JSON.stringify({ msg: 'secrets ready', dir, created }));
