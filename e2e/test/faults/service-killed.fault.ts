import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceName } from '@orderscope/orders';
import { COLLECTOR_ENV, consistencyOf, duringOutage, kill9, registryOrdersSince } from '../support/faults.js';
import { localUp } from '../support/stack.js';

/**
 * A service killed with SIGKILL in the middle of orders (no shutdown, requests cut), then
 * started again: each affected order resumes or is reported stuck with a reason, and none is
 * silently lost — the registry holds every order, and any order whose records disagree is one
 * the run reports stuck.
 */
const VICTIMS: ServiceName[] = ['crm', 'mes'];

describe('a service killed with SIGKILL mid-order, then started again', () => {
  for (const victim of VICTIMS) {
    it(`${victim}: every order resumes or is reported stuck, none lost`, { timeout: 600_000 }, async (t) => {
      const { report, orderIds: ids, times } = await duringOutage({
        orders: 12,
        concurrency: 4,
        injectAfterMs: 6000,
        inject: async () => t.diagnostic(`${victim} (pid ${await kill9(victim)}) killed`),
        heal: () => localUp(COLLECTOR_ENV), // starts it again
      });
      const since = times.runStarted - 1000;
      const stuck = report.orders.filter((o) => o.stuck);
      t.diagnostic(`orders ${report.summary.closed}/${report.summary.total} closed; stuck: ${JSON.stringify(stuck.map((o) => [o.status, o.error]))}`);
      for (const o of stuck) assert.ok(o.error || o.stalled_ms !== undefined, `${o.order_id} stuck in ${o.status} with a reason`);
      assert.deepEqual((await registryOrdersSince(since)).sort(), [...ids].sort(), 'the registry holds every order of the run, once');
      const consistency = await consistencyOf(ids);
      const unreported = consistency.problems.filter((p) => !stuck.some((o) => o.order_id === p.order_id));
      assert.deepEqual(unreported, [], 'every order whose records disagree is reported stuck');
    });
  }
});
