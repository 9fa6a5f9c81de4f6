import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { callMetrics, ServiceClient } from '../src/index.js';

/** Outbound call metrics, from what a real ServiceClient does against a real HTTP server. */
describe('callMetrics', () => {
  let script: (res: ServerResponse, attempt: number) => void = () => undefined;
  let attempt = 0;
  let baseUrl = '';
  const server = createServer((_req, res) => script(res, ++attempt));
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  async function run(behaviour: typeof script, retries = 2) {
    const registry = new Registry();
    const onCall = callMetrics(registry, ['crm', 'mes']);
    attempt = 0;
    script = behaviour;
    const client = new ServiceClient({ target: 'crm', baseUrl, timeoutMs: 150, retries, backoffMs: 5, onCall });
    await client.call('GET', '/x').catch(() => undefined);
    const values = new Map<string, number>();
    for (const m of await registry.getMetricsAsJSON()) {
      for (const v of m.values) {
        const name = (v as { metricName?: string }).metricName ?? m.name;
        values.set(`${name}${JSON.stringify(v.labels)}`, v.value);
      }
    }
    return (name: string, labels: Record<string, string>) => values.get(`${name}${JSON.stringify(labels)}`);
  }
  const answer = (status: number) => (res: ServerResponse) => res.writeHead(status, { 'content-type': 'application/json' }).end('{}');

  const cases: Array<{ what: string; behaviour: typeof script; outcome: string; attempts: number; retries: number; timeouts: number }> = [
    { what: 'a first-try answer', behaviour: answer(200), outcome: 'ok', attempts: 1, retries: 0, timeouts: 0 },
    { what: 'a 4xx (not retried)', behaviour: answer(404), outcome: 'ok', attempts: 1, retries: 0, timeouts: 0 },
    { what: 'two 503s, then an answer', behaviour: (res, n) => answer(n <= 2 ? 503 : 200)(res), outcome: 'ok', attempts: 3, retries: 2, timeouts: 0 },
    { what: '503s to the end', behaviour: answer(503), outcome: 'error_status', attempts: 3, retries: 2, timeouts: 0 },
    { what: 'no answer in time, ever', behaviour: () => undefined, outcome: 'failed', attempts: 3, retries: 2, timeouts: 3 },
  ];
  for (const c of cases) {
    it(`counts ${c.what}: outcome ${c.outcome}, ${c.attempts} attempt(s), ${c.retries} retries, ${c.timeouts} timeouts`, async () => {
      const value = await run(c.behaviour);
      const peer = { peer_service: 'crm' };
      assert.equal(value('orderscope_calls_total', { ...peer, outcome: c.outcome }), 1);
      for (const other of ['ok', 'error_status', 'failed'].filter((o) => o !== c.outcome)) {
        assert.equal(value('orderscope_calls_total', { ...peer, outcome: other }), 0, `${other} stays 0`);
      }
      assert.equal(value('orderscope_call_attempts_total', peer), c.attempts);
      assert.equal(value('orderscope_call_retries_total', peer), c.retries);
      assert.equal(value('orderscope_call_timeouts_total', peer), c.timeouts);
      assert.equal(value('orderscope_call_duration_seconds_count', { ...peer, outcome: c.outcome }), 1);
      assert.equal(value('orderscope_call_retries_total', { peer_service: 'mes' }), 0, 'a callee never called is at 0');
    });
  }
});
