import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@orderscope/platform';
import { splitComponents } from '../src/access/access-components.js';
import { accessGatewayConfig } from '../src/access/access-gateway-config.js';

/** ACCESS_COMPONENTS and the rest of the gateway's environment: one list, every problem named at once. */
const base = {
  ACCESS_LOG_DIR: '/var/log/orderscope',
  TLS_CA_FILE: '/certs/ca.crt',
  TLS_CERT_FILE: '/certs/client.crt',
  TLS_KEY_FILE: '/certs/client.key',
};

describe('the access gateway’s configuration', () => {
  const good = [
    {
      name: 'one component on a socket',
      spec: 'jaeger=/run/access/jaeger.sock=https://jaeger:16686',
      want: [{ name: 'jaeger', listen: '/run/access/jaeger.sock', upstream: 'https://jaeger:16686', logFile: '/var/log/orderscope/jaeger-access.jsonl' }],
    },
    {
      name: 'four, one per line as compose folds them, a trailing comma',
      spec: `jaeger=/run/access/jaeger.sock=https://jaeger:16686,
             prometheus=/run/access/prometheus.sock=https://prometheus:9090,
             alertmanager=/run/access/alertmanager.sock=https://alertmanager:9093,
             victorialogs=/run/access/victorialogs.sock=https://log-gateway:9429,`,
      want: ['jaeger', 'prometheus', 'alertmanager', 'victorialogs'].map((c) => ({
        name: c,
        listen: `/run/access/${c}.sock`,
        upstream: { jaeger: 'https://jaeger:16686', prometheus: 'https://prometheus:9090', alertmanager: 'https://alertmanager:9093', victorialogs: 'https://log-gateway:9429' }[c],
        logFile: `/var/log/orderscope/${c}-access.jsonl`,
      })),
    },
    {
      name: 'host:port (the log gateway, tests), an upstream with "=" in its query',
      spec: 'log-gateway=0.0.0.0:9429=https://victorialogs:9428/?a=b',
      want: [{ name: 'log-gateway', listen: '0.0.0.0:9429', upstream: 'https://victorialogs:9428/?a=b', logFile: '/var/log/orderscope/log-gateway-access.jsonl' }],
    },
  ];
  for (const c of good) {
    it(`reads ${c.name}`, () => {
      assert.deepEqual(accessGatewayConfig({ ...base, ACCESS_COMPONENTS: c.spec }).components, c.want);
    });
  }

  const bad = [
    { name: 'no list at all', env: { ...base }, problems: ['ACCESS_COMPONENTS: required'] },
    { name: 'an empty list', env: { ...base, ACCESS_COMPONENTS: ' , ' }, problems: ['ACCESS_COMPONENTS: name at least one component'] },
    {
      name: 'an entry without its upstream, a bad name and a relative socket, all at once',
      env: { ...base, ACCESS_COMPONENTS: 'jaeger=/run/a.sock,Prometheus=/run/p.sock=https://p:9090,alertmanager=run/am.sock=https://am:9093' },
      problems: ['ACCESS_COMPONENTS.0.upstream: must be the component’s URL', 'ACCESS_COMPONENTS.1.name: must be a component name', 'ACCESS_COMPONENTS.2.listen: must be a unix socket path'],
    },
    {
      name: 'two components on one socket, one name twice',
      env: { ...base, ACCESS_COMPONENTS: 'jaeger=/run/a.sock=https://j:1,prometheus=/run/a.sock=https://p:2,jaeger=/run/b.sock=https://j:1' },
      problems: ['ACCESS_COMPONENTS.2.name: jaeger is entry 0', 'ACCESS_COMPONENTS.1.listen: /run/a.sock is entry 0'],
    },
    {
      name: 'a port out of range, beside the missing log directory and certificate',
      env: { ACCESS_COMPONENTS: 'jaeger=localhost:70000=https://j:1', TLS_CA_FILE: '/c', TLS_KEY_FILE: '/k' },
      problems: ['ACCESS_COMPONENTS.0.listen', 'ACCESS_LOG_DIR', 'TLS_CERT_FILE'],
    },
    {
      name: 'half of a pair',
      env: { ...base, ACCESS_COMPONENTS: 'jaeger=/run/a.sock=https://j:1', ACCESS_OTLP_ENDPOINT: 'https://otel-collector:4319' },
      problems: ['ACCESS_OTLP_TOKEN: set both'],
    },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}, naming every problem`, () => {
      assert.throws(
        () => accessGatewayConfig(c.env),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, String(err));
          for (const p of c.problems) assert.ok(err.problems.some((q) => q.startsWith(p)), `"${p}…" in:\n  ${err.problems.join('\n  ')}`);
          assert.equal(err.problems.length, c.problems.length, err.problems.join('\n'));
          return true;
        },
      );
    });
  }

  it('splits without checking (the health probe reads the list without zod)', () => {
    assert.deepEqual(splitComponents(' a=/s=https://u , b '), [
      { name: 'a', listen: '/s', upstream: 'https://u' },
      { name: 'b', listen: '', upstream: '' },
    ]);
  });
});
