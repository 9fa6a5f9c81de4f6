import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SERVICE_NAMES } from '@orderscope/orders';
import {
  COLLECTOR_ENV, detailInJaeger, duringOutage, OUTAGE_MS, serverErrors, SERVICE_MEMORY_BOUND_MIB, servicesCount, simulatedRun,
} from '../support/faults.js';
import { promQuery } from '../support/secure.js';
import { eventually, localUp, stopNative } from '../support/stack.js';

/**
 * The collector down for a minute in the middle of a simulated run: the customers notice
 * nothing, the services stay within their memory, the spans they could not send are counted
 * where an SRE looks (their /metrics, Prometheus, alert TelemetryLostAtSource), and tracing comes
 * back by itself.
 */
describe(`the collector down for ${OUTAGE_MS / 1000} s mid-run`, () => {
  it('costs spans, counted, never an order, a 5xx or a service', { timeout: OUTAGE_MS + 420_000 }, async (t) => {
    const lostBefore = await servicesCount('orderscope_telemetry_spans_lost_total');
    const { report, peak, times } = await duringOutage({
      orders: 24,
      concurrency: 6,
      injectAfterMs: 5000,
      inject: () => stopNative('otelcol'),
      holdMs: OUTAGE_MS,
      heal: () => localUp(COLLECTOR_ENV),
    });
    t.diagnostic(`orders ${report.summary.closed}/${report.summary.total} closed; peak RSS MiB ${JSON.stringify(peak)}`);
    assert.equal(report.summary.closed, report.summary.total, `every order closed: ${JSON.stringify(report.orders.filter((o) => o.stuck))}`);
    assert.deepEqual(serverErrors(times.runStarted), [], 'no 5xx');
    for (const s of SERVICE_NAMES) assert.ok(peak[s] > 0 && peak[s] < SERVICE_MEMORY_BOUND_MIB, `${s}: ${peak[s].toFixed(0)} MiB < ${SERVICE_MEMORY_BOUND_MIB} MiB`);
    const lost = (await servicesCount('orderscope_telemetry_spans_lost_total')) - lostBefore;
    t.diagnostic(`spans lost at the services: ${lost}`);
    assert.ok(lost > 0, 'the services count the spans they could not deliver');
    await eventually('the lost spans in Prometheus', 90_000, async () => {
      const r = await promQuery('sum(increase(orderscope_telemetry_spans_lost_total[10m]))');
      return Number(r[0]?.value[1] ?? 0) > 0 ? true : undefined;
    }, 3000);
    // Tracing resumes by itself: an order started now is in Jaeger, whole.
    const after = await simulatedRun(1);
    const id = after.orders[0]!.order_id!;
    await eventually(`order ${id} in Jaeger after the outage`, 90_000, async () => ((await detailInJaeger(id)) ? true : undefined), 2000);
  });
});
