import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import { getTrace, isError } from './support/jaeger.js';
import { SERVICES } from '@orderscope/orders';
import { adminApi, eventually, PROMETHEUS_URL, resetFaults } from './support/stack.js';
import { componentFetch } from './support/secure.js';

/**
 * Exemplars: a latency bucket of http_server_request_duration_seconds carries the trace of a
 * request the collector keeps (a 5xx here), and that trace id, taken from Prometheus's exemplar
 * API, opens a trace Jaeger returns — what Grafana's exemplar link to Jaeger does.
 */
interface ExemplarSeries { seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }> }

describe('exemplars lead from a latency bucket to a kept trace', () => {
  after(() => resetFaults());

  it('puts the trace of a failed request on its bucket, and Jaeger returns that trace', { timeout: 180_000 }, async (t: TestContext) => {
    const since = Date.now() / 1000 - 1;
    await adminApi('shop').send('PUT', '/admin/faults', { json: { errorRate: 1 } });
    // As a customer's browser would ask: one request, no retries.
    const answered = await fetch(`http://127.0.0.1:${SERVICES.shop.port}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'e2e-exemplar' }),
    });
    await resetFaults();
    assert.equal(answered.status, 500, 'the fault made the shop answer 500');

    const query = encodeURIComponent('http_server_request_duration_seconds_bucket{service="shop",status_code="500"}');
    const exemplar = await eventually('an exemplar of a 500 at the shop in Prometheus', 60_000, async () => {
      const now = Date.now() / 1000;
      const res = await componentFetch(`${PROMETHEUS_URL}/api/v1/query_exemplars?query=${query}&start=${since}&end=${now + 1}`);
      const data = ((await res.json()) as { data: ExemplarSeries[] }).data;
      return data.flatMap((s) => s.exemplars).find((e) => e.timestamp >= since && /^[0-9a-f]{32}$/.test(e.labels.trace_id ?? ''));
    });
    const traceId = exemplar.labels.trace_id!;
    t.diagnostic(`exemplar: trace_id ${traceId}, ${Number(exemplar.value).toFixed(3)} s`);

    const trace = await eventually(`trace ${traceId} in Jaeger`, 90_000, async () => getTrace(traceId));
    assert.equal(trace.traceID, traceId);
    assert.ok(trace.spans.some(isError), 'the kept trace shows the error');
    assert.ok(trace.spans.some((s) => s.spanID === exemplar.labels.span_id), "the exemplar's span is in it");
    t.diagnostic(`Jaeger returned ${trace.spans.length} spans for it`);
  });
});
