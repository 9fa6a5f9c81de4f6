import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkConsistency } from '@orderscope/ops';
import { TEST_ADMIN_TOKEN } from '@orderscope/testkit';
import { b2cOrderWithModel, orderToken, submitB2c } from '../src/flows.js';
import { startSystem, type System } from '../src/system.js';

/**
 * Steps cut short between the registry and a service's own table (a crash, the database away, a
 * timeout): the next attempt, or the CRM's repair, brings the service's record level with the
 * registry, and the consistency check finds nothing left over.
 */
describe('recovery from a step cut short', () => {
  let sys: System;
  before(async () => {
    sys = await startSystem({ crm: { HTTP_TIMEOUT_MS: '200', HTTP_RETRIES: '1' } });
  });
  after(() => sys?.stop());

  const consistent = async (id: string) => {
    const db = await sys.db.admin();
    try {
      return (await checkConsistency(db, { orderIds: [id] })).problems;
    } finally {
      await db.end();
    }
  };

  it("an operator's step the registry took but the MES never wrote: the operator's retry writes it", async () => {
    const id = await b2cOrderWithModel(sys);
    assert.equal((await submitB2c(sys, id)).status, 200);
    // As if the MES died right after the registry answered.
    const recorded = await sys.request('crm', 'PUT', `/internal/registry/orders/${id}/transitions/MANUFACTURING_STARTED`, { json: { actor: 'mes' } });
    assert.equal(recorded.status, 200, JSON.stringify(recorded.body));
    assert.match((await consistent(id)).map((p) => p.problem).join('; '), /work order queued, the registry says MANUFACTURING_STARTED/);
    const retried = await sys.request('mes', 'POST', `/work-orders/${id}/start`, { token: sys.operator.key });
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal(retried.body.work_order.state, 'in_progress');
    assert.equal(retried.body.transition.status, 'MANUFACTURING_STARTED');
    assert.deepEqual(await consistent(id), []);
  });

  it("a price the shop never heard back (its call timed out after the order was priced): the CRM's repair brings it", async () => {
    const id = await b2cOrderWithModel(sys, 'customer-timeout');
    await sys.setFaults('mes', { hangRate: 1 });
    try {
      const failed = await submitB2c(sys, id);
      assert.equal(failed.status, 504, JSON.stringify(failed.body));
    } finally {
      await sys.request('mes', 'DELETE', '/admin/faults', { token: TEST_ADMIN_TOKEN });
    }
    assert.equal((await sys.request('shop', 'GET', `/orders/${id}`, { token: orderToken(id) })).body.price_cents, null);
    // The repair an SRE (or the stuck-order runbook) runs: hand the approved order over again.
    const repaired = await sys.request('crm', 'POST', `/orders/${id}/handoff`);
    assert.equal(repaired.status, 200, JSON.stringify(repaired.body));
    const view = await sys.request('shop', 'GET', `/orders/${id}`, { token: orderToken(id) });
    assert.ok(view.body.price_cents > 0, `the shop shows the price: ${JSON.stringify(view.body)}`);
    const notifications = await sys.request('shop', 'GET', `/orders/${id}/notifications`, { token: orderToken(id) });
    assert.deepEqual(notifications.body.notifications.map((n: { event: string }) => n.event), ['ORDER_CONFIRMED']);
    assert.deepEqual(await consistent(id), []);
  });
});
