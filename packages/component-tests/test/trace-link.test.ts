import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startSystem, type System } from '../src/system.js';

/** "Where is my order?" leads to its trace: the registry answers with the trace id and a Jaeger link. */
describe('the registry links each order to its trace', () => {
  const JAEGER = 'https://jaeger.example:16686';
  const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
  let sys: System;
  let orderId: string;
  before(async () => {
    sys = await startSystem({ crm: { JAEGER_UI_URL: `${JAEGER}/` } });
    orderId = randomUUID();
    const created = await sys.request('crm', 'PUT', `/internal/registry/orders/${orderId}/transitions/INITIATED`, {
      json: { actor: 'shop', channel: 'b2c', user_id: 'c1', trace_context: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` } },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
  });
  after(() => sys?.stop());

  const expected = { trace_id: TRACE_ID, jaeger_url: `${JAEGER}/trace/${TRACE_ID}` };

  it('in the order', async () => {
    const r = await sys.request('crm', 'GET', `/registry/orders/${orderId}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.trace, expected);
  });

  it('in the list of stuck orders', async () => {
    const r = await sys.request('crm', 'GET', '/registry/orders?stuck_for_s=0&status=INITIATED');
    const order = r.body.orders.find((o: { order_id: string }) => o.order_id === orderId);
    assert.deepEqual(order?.trace, expected);
  });

  it('in what the stuck-order scan reports', async () => {
    const r = await sys.request('crm', 'POST', '/internal/registry/stuck-scan?older_than_s=0');
    const order = r.body.stuck.find((o: { order_id: string }) => o.order_id === orderId);
    assert.deepEqual(order?.trace, expected);
  });

  it('as null for an order without a trace context', async () => {
    const bare = randomUUID();
    await sys.request('crm', 'PUT', `/internal/registry/orders/${bare}/transitions/INITIATED`, { json: { actor: 'shop', channel: 'b2c' } });
    const r = await sys.request('crm', 'GET', `/registry/orders/${bare}`);
    assert.equal(r.body.trace, null);
  });
});
