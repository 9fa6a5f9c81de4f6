#!/usr/bin/env node
// Generates the stack's secrets, one file each, into DIR — only those missing, so re-running keeps
// them (pass --rotate to replace all). Used by compose's secrets-init service and by local:up.
// Nothing here is ever committed: DIR is a volume (compose) or .local/secrets (native).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SECRETS = [
  'postgres_password',
  'db_password_shop',
  'db_password_mes_api',
  'db_password_crm',
  'db_password_mes',
  'internal_api_token',
  'admin_token',
  'user_id_hmac_key',
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

mkdirSync(dir, { recursive: true, mode: 0o755 });
const created = [];
for (const name of SECRETS) {
  const path = join(dir, name);
  if (existsSync(path) && !rotate) continue;
  if (existsSync(path)) chmodSync(path, 0o600);
  writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600 });
  chmodSync(path, mode);
  created.push(name);
}
console.log(JSON.stringify({ msg: 'secrets ready', dir, created }));
