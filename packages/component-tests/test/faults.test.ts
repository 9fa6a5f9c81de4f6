import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN } from '@orderscope/testkit';
import { b2cOrderWithModel, registryOrder, submitB2c, transitionRows } from '../src/flows.js';
import { startSystem, type System } from '../src/system.js';

describe('faults between the services', () => {
  let sys: System;
  before(async () => {
    // The CRM gives the MES 200 ms per attempt and one retry, so a silent MES fails fast; its
    // business clock runs so fast that an order waiting 4 ms in MANUFACTURING_APPROVED is stuck.
    sys = await startSystem({
      crm: { HTTP_TIMEOUT_MS: '200', HTTP_RETRIES: '1', ORDER_TIME_SCALE: '1000000', STUCK_MIN_S: '0' },
      'mes-api': { HTTP_TIMEOUT_MS: '5000' },
    });
  });
  after(() => sys?.stop());

  const resetFaults = async () => {
    for (const s of ['shop', 'mes-api', 'crm', 'mes'] as const) {
      await sys.request(s, 'DELETE', '/admin/faults', { token: TEST_ADMIN_TOKEN });
    }
  };

  it('retries a flaky downstream and the order still advances', async () => {
    await resetFaults();
    const id = await b2cOrderWithModel(sys);
    // The MES API fails the next two requests: the shop's pricing call needs its retries.
    await sys.setFaults('mes-api', { failNext: 2 });
    const r = await submitB2c(sys, id);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.status, 'MANUFACTURING_APPROVED');
    const left = await sys.request('mes-api', 'GET', '/admin/faults', { token: TEST_ADMIN_TOKEN });
    assert.equal(left.body.failNext, 0, 'both injected failures were hit, so the call was retried twice');
    assert.equal(await transitionRows(sys, id), 5);
  });

  it('times out a downstream that never answers, with a clear error, and the order stays consistent', async () => {
    await resetFaults();
    const id = await b2cOrderWithModel(sys);
    await sys.setFaults('mes', { hangRate: 1 });
    const r = await submitB2c(sys, id);
    assert.equal(r.status, 504, JSON.stringify(r.body));
    assert.equal(r.body.error, 'upstream_timeout');
    assert.equal(r.body.details.upstream, 'mes');
    assert.equal(r.body.details.timed_out, true);
    assert.equal(r.body.details.attempts, 2);
    assert.equal(r.body.details.timeout_ms, 200);

    // Approved but not handed to the MES: visible in the registry, nothing half-written.
    const order = await registryOrder(sys, id);
    assert.equal(order.status, 'MANUFACTURING_APPROVED');
    assert.equal(await transitionRows(sys, id), 5);
    await sys.setFaults('mes', { hangRate: 0 });
    assert.equal((await sys.request('mes', 'GET', `/work-orders/${id}`, { token: sys.operator.key })).status, 404);
    const c = await sys.db.admin();
    const approval = await c.query('SELECT handed_to_mes_at FROM crm.approvals WHERE order_id = $1', [id]);
    await c.end();
    assert.equal(approval.rows[0].handed_to_mes_at, null);

    // The customer retries "Place order" once the MES is back: the chain is re-driven, idempotently.
    const retried = await submitB2c(sys, id);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal((await sys.request('mes', 'GET', `/work-orders/${id}`, { token: sys.operator.key })).body.state, 'queued');
    assert.equal(await transitionRows(sys, id), 5);
  });

  it('loses an order silently when the MES drops hand-offs, and the registry shows it stuck', async () => {
    await resetFaults();
    const id = await b2cOrderWithModel(sys);
    await sys.setFaults('mes', { dropRate: 1 });
    const r = await submitB2c(sys, id);
    assert.equal(r.status, 200, 'the hand-off "succeeded"');
    assert.equal((await sys.request('mes', 'GET', `/work-orders/${id}`, { token: sys.operator.key })).status, 404);
    const stuck = await sys.request('crm', 'GET', '/registry/orders?stuck_for_s=0&status=MANUFACTURING_APPROVED');
    assert.ok(stuck.body.orders.some((o: { order_id: string }) => o.order_id === id));
    // The stuck-order scan reports it once per status (its trace gets an "order stuck" span).
    const scan = await sys.request('crm', 'POST', '/internal/registry/stuck-scan?older_than_s=0');
    assert.ok(scan.body.stuck.some((o: { order_id: string; status: string }) => o.order_id === id && o.status === 'MANUFACTURING_APPROVED'));
    const again = await sys.request('crm', 'POST', '/internal/registry/stuck-scan?older_than_s=0');
    assert.ok(!again.body.stuck.some((o: { order_id: string }) => o.order_id === id), 'reported once');
    // Stuck by its status's own allowed time (scaled to milliseconds here), not only by a threshold.
    const byAllowed = await sys.request('crm', 'GET', '/registry/orders?stuck=true&status=MANUFACTURING_APPROVED');
    assert.ok(byAllowed.body.orders.some((o: { order_id: string }) => o.order_id === id));

    // The fix: the CRM hands it over again, once the MES keeps what it gets; twice is harmless.
    await resetFaults();
    for (let i = 0; i < 2; i++) {
      const fixed = await sys.request('crm', 'POST', `/orders/${id}/handoff`);
      assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
      assert.equal(fixed.body.mes_state, 'queued');
    }
    assert.equal((await sys.request('mes', 'GET', `/work-orders/${id}`, { token: sys.operator.key })).body.state, 'queued');
    assert.equal(await transitionRows(sys, id), 5, 'the registry is unchanged: the order waits for an operator now');
  });

  it('refuses to hand over an order that is not waiting for manufacturing, saying why', async () => {
    await resetFaults();
    const id = await b2cOrderWithModel(sys);
    const r = await sys.request('crm', 'POST', `/orders/${id}/handoff`);
    assert.equal(r.status, 409);
    assert.equal(r.body.error, 'not_awaiting_manufacturing');
    assert.match(r.body.message, /FILE_UPLOADED/);
    const unknown = await sys.request('crm', 'POST', '/orders/00000000-0000-4000-8000-000000000000/handoff');
    assert.equal(unknown.status, 404);
  });

  it('still works on a slow database (every statement delayed on the server)', async () => {
    await resetFaults();
    await sys.setFaults('crm', { dbLatencyMs: 30 });
    const id = await b2cOrderWithModel(sys);
    const started = performance.now();
    const r = await submitB2c(sys, id);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // Each CRM statement slept on the server: several in this chain.
    assert.ok(performance.now() - started >= 30 * 4);
    await resetFaults();
  });

  it('injects errors at the configured rate and answers them as JSON 500s', async () => {
    await resetFaults();
    await sys.setFaults('shop', { errorRate: 1 });
    const r = await sys.request('shop', 'POST', '/orders', { json: { user_id: 'x' }, token: null });
    assert.equal(r.status, 500);
    assert.equal(r.body.error, 'injected_fault');
    const health = await sys.request('shop', 'GET', '/health/ready', { token: null });
    assert.equal(health.status, 200, 'health checks are not subject to faults');
    await resetFaults();
  });
});
