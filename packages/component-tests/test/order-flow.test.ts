import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ownerOf, pathOf, type Channel } from '@orderscope/orders';
import {
  b2bApprovedOrder,
  b2cOrderWithModel,
  keepToken,
  manufactureAndDeliver,
  orderToken,
  registryOrder,
  submitB2c,
  transitionRows,
} from '../src/flows.js';
import { startSystem, type System } from '../src/system.js';

function assertFullHistory(order: Awaited<ReturnType<typeof registryOrder>>, channel: Channel): void {
  assert.equal(order.status, 'CLOSED');
  assert.equal(order.channel, channel);
  assert.deepEqual(
    order.history.map((h) => h.status),
    pathOf(channel),
  );
  order.history.forEach((h, i) => {
    assert.equal(h.seq, i + 1);
    assert.equal(h.actor, ownerOf(channel, h.status as never), `${h.status} made by its owner`);
    if (i > 0) assert.ok(h.occurred_at >= order.history[i - 1]!.occurred_at, 'history in time order');
  });
}

describe('order flow through the four real services', () => {
  let sys: System;
  before(async () => {
    sys = await startSystem();
  });
  after(() => sys?.stop());

  it('drives a B2C order through all its transitions, each by its owner', async () => {
    const id = await b2cOrderWithModel(sys);
    const submitted = await submitB2c(sys, id);
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
    assert.equal(submitted.body.status, 'MANUFACTURING_APPROVED');
    assert.ok(submitted.body.price_cents > 0);
    const queue = await sys.request('mes', 'GET', '/work-orders?state=queued', { token: sys.operator.key });
    assert.ok(queue.body.work_orders.some((w: { order_id: string }) => w.order_id === id), 'the MES queue has the order');
    await manufactureAndDeliver(sys, id);
    assertFullHistory(await registryOrder(sys, id), 'b2c');
    assert.equal(await transitionRows(sys, id), 10);
  });

  it('drives a B2B order from the MES API upload to CLOSED', async () => {
    const id = await b2bApprovedOrder(sys);
    await manufactureAndDeliver(sys, id);
    assertFullHistory(await registryOrder(sys, id), 'b2b');
    const view = await sys.request('mes-api', 'GET', `/b2b/orders/${id}`, { token: orderToken(id) });
    assert.equal(view.body.status, 'CLOSED');
    assert.equal(view.body.model.triangles, 6);
    // The shop, where B2B clients see their orders too, was told of the confirmation and delivery
    // (read with the order's token from the MES API, which the shop has the MES API check).
    const told = await sys.request('shop', 'GET', `/orders/${id}/notifications`, { token: orderToken(id) });
    assert.deepEqual(
      told.body.notifications.map((n: { event: string }) => n.event),
      ['ORDER_CONFIRMED', 'ORDER_DELIVERED'],
    );
  });

  it('builds a model in the online constructor', async () => {
    const created = await sys.request('shop', 'POST', '/orders', { json: { user_id: 'c2' }, token: null });
    const r = await sys.request('shop', 'PUT', `/orders/${keepToken(created)}/model/constructor`, {
      json: { shape: 'box', size_mm: [20, 30, 40] },
      token: created.body.order_token,
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'FILE_UPLOADED');
    assert.deepEqual(r.body.model.size, [20, 30, 40]);
  });

  it('refuses a transition by the wrong service with 409, leaving the order as it was', async () => {
    const id = await b2bApprovedOrder(sys);
    for (const actor of ['shop', 'mes-api', 'crm']) {
      const r = await sys.request('crm', 'PUT', `/internal/registry/orders/${id}/transitions/MANUFACTURING_STARTED`, {
        json: { actor },
      });
      assert.equal(r.status, 409);
      assert.equal(r.body.error, 'wrong_owner');
      assert.match(r.body.message, /set by mes, not/);
    }
    assert.equal((await registryOrder(sys, id)).status, 'MANUFACTURING_APPROVED');
  });

  it('refuses transitions out of order with 409', async () => {
    const id = await b2cOrderWithModel(sys);
    // The MES cannot start what was never approved.
    const skip = await sys.request('crm', 'PUT', `/internal/registry/orders/${id}/transitions/MANUFACTURING_STARTED`, {
      json: { actor: 'mes' },
    });
    assert.equal(skip.status, 409);
    assert.equal(skip.body.error, 'out_of_order');
    assert.equal(skip.body.details.current_status, 'FILE_UPLOADED');
    // The carrier cannot deliver what was never shipped.
    const early = await sys.request('crm', 'POST', '/carrier/deliveries', { json: { order_id: id, tracking_number: 'X' } });
    assert.equal(early.status, 409);
    assert.equal(early.body.error, 'out_of_order');
    // No submit without a model.
    const bare = await sys.request('shop', 'POST', '/orders', { json: { user_id: 'c3' }, token: null });
    const noModel = await submitB2c(sys, keepToken(bare));
    assert.equal(noModel.status, 409);
    assert.equal((await registryOrder(sys, id)).status, 'FILE_UPLOADED');
    assert.equal(await transitionRows(sys, id), 2);
  });

  it('makes a repeated transition idempotent: same answer, no new row', async () => {
    const id = await b2bApprovedOrder(sys);
    const first = await sys.request('mes', 'POST', `/work-orders/${id}/start`, { token: sys.operator.key });
    const again = await sys.request('mes', 'POST', `/work-orders/${id}/start`, { token: sys.operator.key });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.transition, first.body.transition);
    const direct = await sys.request('crm', 'PUT', `/internal/registry/orders/${id}/transitions/MANUFACTURING_STARTED`, {
      json: { actor: 'mes' },
    });
    assert.equal(direct.status, 200);
    assert.equal(direct.body.replayed, true);
    assert.deepEqual(direct.body.transition, first.body.transition);
    assert.equal(await transitionRows(sys, id), 4);
  });

  it('keeps one row when the same transition arrives many times at once', async () => {
    const id = await b2bApprovedOrder(sys);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        sys.request('crm', 'PUT', `/internal/registry/orders/${id}/transitions/MANUFACTURING_STARTED`, { json: { actor: 'mes' } }),
      ),
    );
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    assert.equal(new Set(answers.map((a) => JSON.stringify(a.body.transition))).size, 1);
    assert.equal(answers.filter((a) => a.body.replayed === false).length, 1);
    assert.equal(await transitionRows(sys, id), 4);
  });

  it('answers a re-submitted order with the same price and no duplicate transitions', async () => {
    const id = await b2cOrderWithModel(sys);
    const first = await submitB2c(sys, id);
    const second = await sys.request('shop', 'POST', `/orders/${id}/submit`, { json: { quantity: 99, material: 'PLA' }, token: orderToken(id) });
    assert.equal(second.status, 200);
    assert.equal(second.body.price_cents, first.body.price_cents);
    assert.equal(second.body.quantity, 3, 'the first quantity stands');
    assert.equal(await transitionRows(sys, id), 5);
  });

  it('returns the same order for a retried "new order" with the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'retry-key-0001' };
    const a = await sys.request('shop', 'POST', '/orders', { json: { user_id: 'c9' }, headers, token: null });
    const b = await sys.request('shop', 'POST', '/orders', { json: { user_id: 'c9' }, headers, token: null });
    assert.equal(a.status, 201);
    assert.equal(b.status, 200);
    assert.equal(b.body.order_id, a.body.order_id);
    assert.equal(await transitionRows(sys, a.body.order_id), 1);
    // The retry is a client whose first answer was lost: it gets a token of its own, and the first
    // one (had it arrived) still works.
    assert.notEqual(b.body.order_token, a.body.order_token);
    for (const token of [a.body.order_token, b.body.order_token]) {
      assert.equal((await sys.request('shop', 'GET', `/orders/${a.body.order_id}`, { token })).status, 200);
    }
  });

  it('lists orders that have not moved for a while (the stuck-orders question)', async () => {
    const id = await b2cOrderWithModel(sys);
    const r = await sys.request('crm', 'GET', '/registry/orders?stuck_for_s=0&status=FILE_UPLOADED');
    assert.equal(r.status, 200);
    assert.ok(r.body.orders.some((o: { order_id: string }) => o.order_id === id));
    const none = await sys.request('crm', 'GET', '/registry/orders?stuck_for_s=3600&status=FILE_UPLOADED');
    assert.ok(!none.body.orders.some((o: { order_id: string }) => o.order_id === id));
  });
});
