import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN } from '@orderscope/testkit';
import { binaryStl, keepToken, modelForm, orderToken, registryOrder } from '../src/flows.js';
import { startSystem, type System } from '../src/system.js';

describe('bad input gets a clear error and loses nothing', () => {
  let sys: System;
  let orderId: string;
  before(async () => {
    sys = await startSystem({ shop: { UPLOAD_MAX_BYTES: '2048' }, 'mes-api': { UPLOAD_MAX_BYTES: '2048' } });
    const r = await sys.request('shop', 'POST', '/orders', { json: { user_id: 'c1' }, token: null });
    orderId = keepToken(r);
  });
  after(() => sys?.stop());

  it('answers an oversize model with 413, and the order stays INITIATED', async () => {
    const r = await sys.request('shop', 'PUT', `/orders/${orderId}/model`, { body: modelForm(binaryStl(50)), token: orderToken(orderId) });
    assert.equal(r.status, 413);
    assert.equal(r.body.error, 'payload_too_large');
    assert.equal((await registryOrder(sys, orderId)).status, 'INITIATED');
  });

  it('answers a file that is not a model with 400 naming the problem', async () => {
    const r = await sys.request('shop', 'PUT', `/orders/${orderId}/model`, {
      body: modelForm(Buffer.from('just some text, no solid here')),
      token: orderToken(orderId),
    });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /not an STL model/);
    const none = await sys.request('shop', 'PUT', `/orders/${orderId}/model`, { body: new FormData(), token: orderToken(orderId) });
    assert.equal(none.status, 400);
    assert.match(none.body.message, /field "model"/);
    assert.equal((await registryOrder(sys, orderId)).status, 'INITIATED');
  });

  it('refuses a B2B upload with bad fields before creating anything', async () => {
    const r = await sys.request('mes-api', 'POST', '/b2b/orders', {
      body: modelForm(binaryStl(2), { customer_id: 'acme', quantity: '0', material: 'GOLD' }),
      token: null,
    });
    assert.equal(r.status, 400);
    const fields = r.body.details.fields.map((f: { field: string }) => f.field).sort();
    assert.deepEqual(fields, ['material', 'quantity']);
    const all = await sys.request('crm', 'GET', '/registry/orders?channel=b2b');
    assert.equal(all.body.orders.length, 0);
  });

  it('answers malformed JSON, bad fields, bad ids and unknown orders with JSON errors', async () => {
    const res = await fetch(`${sys.url.shop}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user_id":' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'bad_request', message: 'request body is not valid JSON' });

    const bad = await sys.request('shop', 'POST', `/orders/${orderId}/submit`, { json: { quantity: -1 }, token: orderToken(orderId) });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /quantity/);
    assert.match(bad.body.message, /material/);

    assert.equal((await sys.request('shop', 'GET', '/orders/not-a-uuid', { token: orderToken(orderId) })).status, 400);
    // An unknown order looks like a wrong token: nothing is told about orders one holds no token of.
    const unknown = await sys.request('shop', 'GET', '/orders/00000000-0000-4000-8000-000000000000', { token: orderToken(orderId) });
    assert.equal(unknown.status, 403);
    assert.equal(unknown.body.error, 'order_token_invalid');
    const noRoute = await sys.request('mes', 'GET', '/nowhere', { token: null });
    assert.equal(noRoute.status, 404);
  });

  it('keeps internal and admin endpoints behind their tokens', async () => {
    const registry = await sys.request('crm', 'GET', `/registry/orders/${orderId}`, { token: null });
    assert.equal(registry.status, 401);
    const forged = await sys.request('crm', 'PUT', `/internal/registry/orders/${orderId}/transitions/FILE_UPLOADED`, {
      json: { actor: 'shop' },
      token: 'wrong-token-wrong-token',
    });
    assert.equal(forged.status, 401);
    const faults = await sys.request('shop', 'PUT', '/admin/faults', { json: { errorRate: 1 } });
    assert.equal(faults.status, 401, 'the internal token is not the admin token');
    const badBody = await sys.request('shop', 'PUT', '/admin/faults', { json: { errorRate: 3, bogus: 1 }, token: TEST_ADMIN_TOKEN });
    assert.equal(badBody.status, 400);
    assert.match(badBody.body.message, /errorRate/);
    assert.equal((await registryOrder(sys, orderId)).status, 'INITIATED');
  });
});
