import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICE_NAMES } from '@orderscope/orders';
import { consistencyOf, duringOutage, pidOf, registryOrdersSince, restartPostgres } from '../support/faults.js';
import { publicApi } from '../support/stack.js';

/**
 * PostgreSQL restarted (fast shutdown: every connection of every pool cut) in the middle of a
 * simulated run: no order lost or made twice, the services recover on their own (same
 * processes), and every service's tables agree with the registry afterwards.
 */
describe('PostgreSQL restarted mid-run', () => {
  it('loses no order, duplicates none, and leaves every service agreeing with the registry', { timeout: 600_000 }, async (t) => {
    const pids = Object.fromEntries(SERVICE_NAMES.map((s) => [s, pidOf(s)]));
    const { report, orderIds: ids, times } = await duringOutage({
      orders: 16,
      concurrency: 4,
      injectAfterMs: 8000,
      // Twice: orders caught in a different step each time. A restart heals itself.
      inject: async () => {
        await restartPostgres();
        await sleep(8000);
        await restartPostgres();
      },
    });
    const since = times.runStarted - 1000;
    t.diagnostic(`orders ${report.summary.closed}/${report.summary.total} closed, ${report.summary.retries} retries`);
    // Every order the customers started exists once, and only those.
    assert.equal(ids.length, report.summary.total, `every order created: ${JSON.stringify(report.orders.filter((o) => !o.order_id))}`);
    assert.deepEqual((await registryOrdersSince(since)).sort(), [...ids].sort(), 'the registry holds exactly the run\'s orders');
    for (const o of report.orders) assert.ok(o.status === 'CLOSED' || (o.stuck && (o.error || o.stalled_ms !== undefined)), `${o.order_id}: closed or reported stuck`);
    assert.equal(report.summary.closed, report.summary.total, `every order closed: ${JSON.stringify(report.orders.filter((o) => o.stuck))}`);
    // The same processes, ready again.
    for (const s of SERVICE_NAMES) {
      assert.equal(pidOf(s), pids[s], `${s} was not restarted`);
      assert.equal((await publicApi(s).call('GET', '/health/ready')).status, 200, `${s} ready`);
    }
    const consistency = await consistencyOf(ids);
    assert.deepEqual(consistency.problems, [], 'every service agrees with the registry');
  });
});
