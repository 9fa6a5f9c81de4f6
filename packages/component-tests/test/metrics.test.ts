import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SERVICE_NAMES } from '@orderscope/orders';
import { eventually as poll } from '@orderscope/testkit';
import { mtlsGet, startSystem, type System } from '../src/system.js';

/** Polls with this file's deadline (10 s) and pace (50 ms). */
const eventually = <T>(what: string, probe: () => Promise<T | undefined>) => poll(what, 10_000, probe, 50);


function count(text: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith('http_server_request_duration_seconds_count{')) continue;
    const have = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('each service serves /metrics on its own port over mutual TLS', () => {
  let sys: System;
  let stopped = false;
  before(async () => {
    sys = await startSystem();
  });
  after(() => (stopped ? undefined : sys?.stop()));

  it('answers Prometheus on every service, on a port apart from the API', async () => {
    for (const service of SERVICE_NAMES) {
      const metricsUrl = sys.services[service].metricsUrl;
      assert.ok(metricsUrl, service);
      assert.match(metricsUrl, /^https:\/\/127\.0\.0\.1:\d+\/metrics$/);
      assert.notEqual(new URL(metricsUrl).port, String(sys.services[service].port));
      const r = await sys.scrape(service);
      assert.equal(r.status, 200, service);
      assert.match(r.body, /^process_cpu_user_seconds_total \d/m, service);
      assert.match(r.body, /^# TYPE http_server_request_duration_seconds histogram$/m, service);
    }
  });

  it("labels a real route by its pattern, never by the order's id", async () => {
    const id = randomUUID();
    const r = await sys.request('shop', 'GET', `/orders/${id}`);
    const unknown = await sys.request('shop', 'GET', `/no/such/${id}`);
    assert.equal(unknown.status, 404);
    const body = await eventually('the shop\'s requests counted on /metrics', async () => {
      const { body } = await sys.scrape('shop');
      assert.equal(count(body, { method: 'GET', route: '/orders/:orderId', status_code: String(r.status) }), 1, body);
      assert.equal(count(body, { method: 'GET', route: 'unmatched', status_code: '404' }), 1);
      return body;
    });
    assert.doesNotMatch(body, new RegExp(id));
    // Each service has its own registry: the shop's request is not in the CRM's metrics.
    assert.equal(count((await sys.scrape('crm')).body, { route: '/orders/:orderId' }), undefined);
  });

  it('accepts any client certificate our CA issued: the CA is the trust boundary', async () => {
    // Prometheus is the intended client, but no name is pinned; certificates of other CAs, no
    // certificate and plain HTTP are refused (packages/component-tests/test/metrics-server.test.ts).
    const r = await mtlsGet(sys.services.crm.metricsUrl!, 'shop');
    assert.equal(r.status, 200);
  });

  it('stops serving /metrics when the service shuts down', async () => {
    const ports = SERVICE_NAMES.map((s) => Number(new URL(sys.services[s].metricsUrl!).port));
    stopped = true;
    await sys.stop();
    for (const port of ports) {
      const error = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      });
      assert.equal(error, 'ECONNREFUSED', `port ${port}`);
    }
  });
});
