import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SERVICE_NAMES } from '@orderscope/orders';
import {
  COLLECTOR_ENV, duringOutage, OUTAGE_MS, serverErrors, SERVICE_MEMORY_BOUND_MIB, servicesCount,
} from '../support/faults.js';
import { storedPerService } from '../support/logs.js';
import { eventually, localUp, stopNative } from '../support/stack.js';

/**
 * The log store and Prometheus down together for a minute mid-run: the services do not notice.
 * Their log records still leave them (the collector holds them for the store), nothing is
 * counted lost at the source, no request fails, and the records arrive once the store is back.
 */
describe(`VictoriaLogs and Prometheus down for ${OUTAGE_MS / 1000} s mid-run`, () => {
  it('the services do not notice', { timeout: OUTAGE_MS + 420_000 }, async (t) => {
    const lostBefore = await servicesCount('orderscope_telemetry_logs_lost_total');
    const { report, peak, times } = await duringOutage({
      orders: 16,
      concurrency: 4,
      injectAfterMs: 3000,
      inject: async () => {
        await Promise.all([stopNative('victorialogs'), stopNative('prometheus')]);
      },
      holdMs: OUTAGE_MS,
      untilRunEnds: true,
      heal: () => localUp(COLLECTOR_ENV),
    });
    t.diagnostic(`orders ${report.summary.closed}/${report.summary.total} closed; peak RSS MiB ${JSON.stringify(peak)}`);
    assert.equal(report.summary.closed, report.summary.total, 'every order closed');
    assert.deepEqual(serverErrors(times.runStarted), [], 'no 5xx');
    for (const s of SERVICE_NAMES) assert.ok(peak[s] < SERVICE_MEMORY_BOUND_MIB, `${s}: ${peak[s].toFixed(0)} MiB`);
    assert.equal(await servicesCount('orderscope_telemetry_logs_lost_total'), lostBefore, 'no log record lost at the services');
    // The run's records reach the store once it is back (the collector held them).
    const id = report.orders[0]!.order_id!;
    const stored = await eventually(`order ${id}'s records in VictoriaLogs`, 120_000, async () => {
      const per = await storedPerService(`order_id:="${id}"`);
      return Object.keys(per).length >= 3 ? per : undefined;
    }, 3000);
    t.diagnostic(`order ${id}'s records per service after the outage: ${JSON.stringify(stored)}`);
  });
});
