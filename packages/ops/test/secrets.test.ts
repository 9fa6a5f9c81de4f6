import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CONSUMERS, DERIVED, ensureSecrets, OTLP_SENDERS, SECRETS } from '../src/index.js';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'orderscope-secrets-'));
  dirs.push(d);
  return join(d, 'secrets');
};
const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

describe('the stack\'s secrets (orderscope-secrets)', () => {
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('makes every secret and derived file once, 0400, and keeps them on the next run', () => {
    const dir = fresh();
    assert.deepEqual(ensureSecrets(dir).created, [...SECRETS]);
    assert.deepEqual(readdirSync(dir).sort(), [...SECRETS, ...DERIVED].sort());
    for (const name of SECRETS) assert.equal(statSync(join(dir, name)).mode & 0o777, 0o400, name);
    const before = read(dir, 'internal_api_token');
    assert.deepEqual(ensureSecrets(dir), { created: [], keys: { otlp_api_keys: 'kept', otlp_internal_keys: 'kept', otlp_browser_keys: 'kept' } });
    assert.equal(read(dir, 'internal_api_token'), before);
    // One key per sender, named after it; the collector's login as a bcrypt line.
    assert.deepEqual(read(dir, 'otlp_api_keys').trim().split('\n').map((l) => l.split(' ')[1]), [...OTLP_SENDERS]);
    assert.match(read(dir, 'jaeger_otlp_htpasswd'), /^otel-collector:\$2[aby]\$10\$/);
  });

  it('keeps a revoked key out, and gives a renewed sender its new key', () => {
    const dir = fresh();
    ensureSecrets(dir);
    const keys = join(dir, 'otlp_api_keys');
    const lines = readFileSync(keys, 'utf8').trim().split('\n');
    chmodSync(keys, 0o600);
    writeFileSync(keys, `${lines.filter((l) => !l.endsWith(' crm')).join('\n')}\n`); // revoke the CRM
    const oldShop = read(dir, 'otlp_token_shop');
    unlinkSync(join(dir, 'otlp_token_shop')); // renew the shop's key
    const run = ensureSecrets(dir);
    assert.deepEqual(run.created, ['otlp_token_shop']);
    assert.equal(run.keys.otlp_api_keys, 'updated');
    const now = readFileSync(keys, 'utf8');
    assert.ok(!now.includes(' crm\n'), 'the revoked line stays out');
    assert.ok(now.includes(`${read(dir, 'otlp_token_shop').trim()} shop\n`) && !now.includes(oldShop.trim()), 'the shop has its new key only');
  });

  it('rotates everything but the keys that would lock data away', () => {
    const dir = fresh();
    ensureSecrets(dir);
    const before = Object.fromEntries(SECRETS.map((n) => [n, read(dir, n)]));
    ensureSecrets(dir, { rotate: true });
    for (const name of SECRETS) {
      const kept = name === 'jaeger_storage_key' || name === 'grafana_admin_password';
      assert.equal(read(dir, name) === before[name], kept, `${name} ${kept ? 'kept' : 'rotated'}`);
    }
  });

  it('names only known secrets for its consumers', () => {
    for (const [consumer, { secrets }] of Object.entries(CONSUMERS)) {
      for (const name of secrets) assert.ok(SECRETS.includes(name) || DERIVED.includes(name), `${consumer}: ${name}`);
    }
    assert.deepEqual(CONSUMERS.shop?.secrets.filter((s) => s.startsWith('db_password_')), ['db_password_shop']);
  });
});
