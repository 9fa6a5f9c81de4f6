import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadServiceConfig } from '../src/index.js';

const secrets = { DB_PASSWORD: 'pw', INTERNAL_API_TOKEN: 'i'.repeat(20), ADMIN_TOKEN: 'a'.repeat(20), USER_ID_HMAC_KEY: 'k'.repeat(20) };

describe('service configuration', () => {
  it('gives each service its port, role and schema by default', () => {
    const c = loadServiceConfig('mes-api', secrets);
    assert.equal(c.port, 8082);
    assert.equal(c.db.user, 'mes_api');
    assert.equal(c.db.schema, 'mes_api');
    assert.equal(c.urls.crm, 'http://127.0.0.1:8083');
  });

  it('reads secrets from *_FILE paths, and only for its own variables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'pw'), 'from-file\n');
    const c = loadServiceConfig('crm', {
      ...secrets,
      DB_PASSWORD: undefined,
      DB_PASSWORD_FILE: join(dir, 'pw'),
      UNRELATED_FILE: '/does/not/exist',
    });
    assert.equal(c.db.password, 'from-file');
  });

  it('names every problem at once', () => {
    try {
      loadServiceConfig('shop', { PORT: 'abc', INTERNAL_API_TOKEN: 'short', FAULT_ERROR_RATE: '2' });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join('\n');
      for (const name of ['PORT', 'DB_PASSWORD', 'INTERNAL_API_TOKEN', 'ADMIN_TOKEN', 'FAULT_ERROR_RATE']) {
        assert.match(text, new RegExp(`^${name}:`, 'm'));
      }
    }
  });

  it('refuses a secret given twice', () => {
    assert.throws(() => loadServiceConfig('shop', { ...secrets, DB_PASSWORD_FILE: '/x' }), /both DB_PASSWORD and DB_PASSWORD_FILE/);
  });
});
