import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '@orderscope/platform';
import { loadServiceConfig } from '../src/index.js';

const secrets = { DB_PASSWORD: 'pw', INTERNAL_API_TOKEN: 'i'.repeat(20), ADMIN_TOKEN: 'a'.repeat(20), USER_ID_HMAC_KEY: 'k'.repeat(20) };
/** Without a /metrics server, which would need TLS files (see the metrics tests below). */
const base = { ...secrets, METRICS_PORT: '0' };

describe('service configuration', () => {
  it('gives each service its port, role and schema by default', () => {
    const c = loadServiceConfig('mes-api', base);
    assert.equal(c.port, 8082);
    assert.equal(c.db.user, 'mes_api');
    assert.equal(c.db.schema, 'mes_api');
    assert.equal(c.urls.crm, 'http://127.0.0.1:8083');
  });

  it('reads secrets from *_FILE paths, and only for its own variables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'pw'), 'from-file\n');
    const c = loadServiceConfig('crm', {
      ...base,
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
    assert.throws(() => loadServiceConfig('shop', { ...base, DB_PASSWORD_FILE: '/x' }), /both DB_PASSWORD and DB_PASSWORD_FILE/);
  });
});

describe('metrics server configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-tls-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const pem = (name: string, block: string) => {
    const path = join(dir, name);
    writeFileSync(path, `-----BEGIN ${block}-----\nAAAA\n-----END ${block}-----\n`);
    return path;
  };
  const tls = {
    TLS_CA_FILE: pem('ca.crt', 'CERTIFICATE'),
    TLS_CERT_FILE: pem('server.crt', 'CERTIFICATE'),
    TLS_KEY_FILE: pem('server.key', 'PRIVATE KEY'),
    METRICS_TOKEN: 'scrape-token-0123456789abcdef',
  };
  const problems = (env: Record<string, string | undefined>) => {
    try {
      loadServiceConfig('shop', env);
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.problems.join('\n');
    }
    return assert.fail('expected a ConfigError');
  };

  it("listens on each service's own metrics port, on the API's host, with the given TLS files", () => {
    const ports = { shop: 9481, 'mes-api': 9482, crm: 9483, mes: 9484 } as const;
    for (const [service, port] of Object.entries(ports) as [keyof typeof ports, number][]) {
      const c = loadServiceConfig(service, { ...secrets, ...tls });
      assert.deepEqual(c.metrics, {
        port,
        host: '127.0.0.1',
        tls: { ca: tls.TLS_CA_FILE, cert: tls.TLS_CERT_FILE, key: tls.TLS_KEY_FILE },
        token: tls.METRICS_TOKEN,
      });
    }
    assert.equal(loadServiceConfig('crm', { ...secrets, ...tls, HOST: '0.0.0.0' }).metrics?.host, '0.0.0.0');
    const own = loadServiceConfig('crm', { ...secrets, ...tls, HOST: '0.0.0.0', METRICS_HOST: '127.0.0.1', METRICS_PORT: '19000' });
    assert.equal(own.metrics?.host, '127.0.0.1');
    assert.equal(own.metrics?.port, 19000);
  });

  it('METRICS_PORT=0 disables it, and then needs no TLS files', () => {
    assert.equal(loadServiceConfig('shop', { ...secrets, METRICS_PORT: '0' }).metrics, null);
  });

  it('names each missing TLS file and the missing scrape API key, and how to do without', () => {
    const text = problems({ ...secrets });
    for (const name of ['TLS_CA_FILE', 'TLS_CERT_FILE', 'TLS_KEY_FILE', 'METRICS_TOKEN']) {
      assert.match(text, new RegExp(`^${name}: is required while METRICS_PORT is not 0: .*METRICS_PORT=0 disables it$`, 'm'));
    }
  });

  it('names unreadable files and files without the right PEM block, with the other problems', () => {
    const text = problems({
      ...secrets,
      PORT: 'abc',
      TLS_CA_FILE: join(dir, 'nope.crt'),
      TLS_CERT_FILE: tls.TLS_KEY_FILE,
      TLS_KEY_FILE: dir,
    });
    assert.match(text, /^PORT:/m);
    assert.match(text, /^TLS_CA_FILE: cannot read .*nope\.crt: ENOENT/m);
    assert.match(text, /^TLS_CERT_FILE: .*server\.key holds no PEM CERTIFICATE$/m);
    assert.match(text, /^TLS_KEY_FILE: cannot read .*: EISDIR/m);
  });

  it('refuses the API port for /metrics', () => {
    assert.match(problems({ ...secrets, ...tls, PORT: '9000', METRICS_PORT: '9000' }), /^METRICS_PORT: must differ from PORT/m);
  });
});
