import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN, TEST_INTERNAL_TOKEN } from '@orderscope/testkit';
import { binaryStl, keepToken, modelForm, orderToken, registryOrder } from '../src/flows.js';
import { startSystem, type System } from '../src/system.js';

type Service = 'shop' | 'mes-api' | 'mes';
interface Route {
  readonly name: string;
  readonly service: Service;
  readonly method: string;
  readonly path: (id: string) => string;
  /** A fresh body per request (a FormData is consumed by its request). */
  readonly body?: () => { json?: unknown; body?: FormData };
  /** What the right credential gets. */
  readonly ok: number;
}

/** The credentials a caller may show, and what each must get (null: the route's own answer). */
const WRONG_BEARER = 'x'.repeat(43);

describe('who may call what: order tokens and operator keys', () => {
  let sys: System;
  before(async () => {
    sys = await startSystem();
  });
  after(() => sys?.stop());

  const call = (r: Route, id: string, headers: Record<string, string>) =>
    sys.request(r.service, r.method, r.path(id), { ...r.body?.(), headers, token: null });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  /** Every way in without the order's own token, and what each must get. */
  const refusals = (otherOrderToken: () => string) =>
    [
      { caller: 'no credential', headers: () => ({}), status: 401, error: 'order_token_required' },
      { caller: 'not a bearer (Basic)', headers: () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }), status: 401, error: 'order_token_required' },
      { caller: 'a made-up token', headers: () => bearer(WRONG_BEARER), status: 403, error: 'order_token_invalid' },
      { caller: "another order's token", headers: () => bearer(otherOrderToken()), status: 403, error: 'order_token_invalid' },
      // The services' own token opens their internal APIs, not a customer's order.
      { caller: 'the internal token', headers: () => bearer(TEST_INTERNAL_TOKEN), status: 403, error: 'order_token_invalid' },
      { caller: 'an operator key', headers: () => bearer(sys.operator.key), status: 403, error: 'order_token_invalid' },
    ] as const;

  it("B2C: every order route of the shop wants the order's own token; refused calls change nothing", async () => {
    const mine = keepToken(await sys.request('shop', 'POST', '/orders', { json: { user_id: 'authz-1' }, token: null }));
    const other = keepToken(await sys.request('shop', 'POST', '/orders', { json: { user_id: 'authz-2' }, token: null }));
    assert.match(orderToken(mine), /^[A-Za-z0-9_-]{43}$/, '256 random bits, base64url');
    // In the order they make sense with the right token: the model first, the submit last.
    const routes: Route[] = [
      { name: 'PUT model', service: 'shop', method: 'PUT', path: (id) => `/orders/${id}/model`, body: () => ({ body: modelForm(binaryStl(4)) }), ok: 200 },
      {
        name: 'PUT model/constructor',
        service: 'shop',
        method: 'PUT',
        path: (id) => `/orders/${id}/model/constructor`,
        body: () => ({ json: { shape: 'box', size_mm: [10, 20, 30] } }),
        ok: 200,
      },
      { name: 'GET order', service: 'shop', method: 'GET', path: (id) => `/orders/${id}`, ok: 200 },
      { name: 'GET notifications', service: 'shop', method: 'GET', path: (id) => `/orders/${id}/notifications`, ok: 200 },
      { name: 'POST submit', service: 'shop', method: 'POST', path: (id) => `/orders/${id}/submit`, body: () => ({ json: { quantity: 2, material: 'PLA' } }), ok: 200 },
    ];
    for (const r of routes) {
      for (const c of refusals(() => orderToken(other))) {
        const res = await call(r, mine, c.headers());
        assert.equal(res.status, c.status, `${r.name}, ${c.caller}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error, c.error, `${r.name}, ${c.caller}`);
        assert.equal(typeof res.body.message, 'string');
      }
    }
    assert.equal((await registryOrder(sys, mine)).status, 'INITIATED', 'no refused call moved the order');
    for (const r of routes) {
      const res = await call(r, mine, bearer(orderToken(mine)));
      assert.equal(res.status, r.ok, `${r.name} with the order's token: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.order_token, undefined, 'the token is answered by the creation only');
    }
    assert.equal((await registryOrder(sys, mine)).status, 'MANUFACTURING_APPROVED');
    assert.equal((await registryOrder(sys, other)).status, 'INITIATED', "the other order's token moved nothing of its own");
    // The shop keeps the token's hash, never the token.
    const c = await sys.db.admin();
    try {
      const rows = (await c.query('SELECT token_hash FROM shop.order_tokens WHERE order_id = $1', [mine])).rows;
      assert.equal(rows.length, 1);
      assert.notEqual(rows[0].token_hash.toString(), orderToken(mine));
      assert.equal(rows[0].token_hash.length, 32);
    } finally {
      await c.end();
    }
  });

  it('B2B: the MES API wants the order\'s token to read and submit it; the shop checks it for the notifications', async () => {
    const upload = () =>
      sys.request('mes-api', 'POST', '/b2b/orders', { body: modelForm(binaryStl(6), { customer_id: 'authz-gmbh', quantity: '3', material: 'PLA' }), token: null });
    const mine = keepToken(await upload());
    const other = keepToken(await upload());
    const routes: Route[] = [
      { name: 'GET b2b order', service: 'mes-api', method: 'GET', path: (id) => `/b2b/orders/${id}`, ok: 200 },
      { name: 'GET notifications at the shop', service: 'shop', method: 'GET', path: (id) => `/orders/${id}/notifications`, ok: 200 },
      { name: 'POST b2b submit', service: 'mes-api', method: 'POST', path: (id) => `/b2b/orders/${id}/submit`, ok: 200 },
    ];
    for (const r of routes) {
      for (const c of refusals(() => orderToken(other))) {
        const res = await call(r, mine, c.headers());
        assert.equal(res.status, c.status, `${r.name}, ${c.caller}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error, c.error, `${r.name}, ${c.caller}`);
      }
    }
    assert.equal((await registryOrder(sys, mine)).status, 'FILE_UPLOADED', 'no refused call moved the order');
    for (const r of routes) {
      const res = await call(r, mine, bearer(orderToken(mine)));
      assert.equal(res.status, r.ok, `${r.name} with the order's token: ${JSON.stringify(res.body)}`);
    }
    assert.equal((await registryOrder(sys, mine)).status, 'MANUFACTURING_APPROVED');
    // A B2C order's token opens no B2B order's notifications, nor the other way round.
    const b2c = keepToken(await sys.request('shop', 'POST', '/orders', { json: { user_id: 'authz-3' }, token: null }));
    const cross = await sys.request('shop', 'GET', `/orders/${mine}/notifications`, { token: orderToken(b2c) });
    assert.equal(cross.status, 403);
    const back = await sys.request('shop', 'GET', `/orders/${b2c}/notifications`, { token: orderToken(mine) });
    assert.equal(back.status, 403);
    // The token check is internal: without the internal token, nobody may ask it.
    const probe = await sys.request('mes-api', 'POST', `/internal/b2b/orders/${mine}/token-check`, { json: { token_sha256: '0'.repeat(64) }, token: null });
    assert.equal(probe.status, 401);
  });

  it('answers a bad order id with 400 once a token is shown, and an unknown order like a wrong token (403)', async () => {
    const id = keepToken(await sys.request('shop', 'POST', '/orders', { json: { user_id: 'authz-4' }, token: null }));
    const bad = await sys.request('shop', 'GET', '/orders/not-a-uuid', { token: orderToken(id) });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /orderId/);
    const unknown = await sys.request('mes-api', 'GET', '/b2b/orders/00000000-0000-4000-8000-000000000000', { token: orderToken(id) });
    assert.equal(unknown.status, 403);
    assert.equal(unknown.body.error, 'order_token_invalid');
  });

  describe('operators', () => {
    const admin = (method: string, path: string, json?: unknown) => sys.request('mes', method, path, { ...(json ? { json } : {}), token: TEST_ADMIN_TOKEN });
    const newOperator = async (name: string) => {
      const r = await admin('POST', '/admin/operators', { name });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return { id: r.body.operator_id as string, key: r.body.operator_key as string };
    };

    it('are made, listed (never with a key) and revoked by an admin only', async () => {
      const op = await newOperator('night shift, station 3');
      assert.match(op.key, /^[A-Za-z0-9_-]{43}$/);
      for (const token of [null, TEST_INTERNAL_TOKEN, op.key]) {
        for (const [method, path] of [['POST', '/admin/operators'], ['GET', '/admin/operators'], ['DELETE', `/admin/operators/${op.id}`]] as const) {
          const r = await sys.request('mes', method, path, { ...(method === 'POST' ? { json: { name: 'x' } } : {}), token });
          assert.equal(r.status, 401, `${method} ${path} with ${token === null ? 'no token' : 'a non-admin token'}`);
        }
      }
      for (const name of ['', '   ', 'n'.repeat(101)]) {
        const r = await admin('POST', '/admin/operators', { name });
        assert.equal(r.status, 400, JSON.stringify(name));
        assert.match(r.body.message, /name/);
      }
      assert.equal((await admin('POST', '/admin/operators', { name: 'a', key: 'mine' })).status, 400, 'no key of the caller\'s choosing');
      const listed = await admin('GET', '/admin/operators');
      const row = listed.body.operators.find((o: { operator_id: string }) => o.operator_id === op.id);
      assert.deepEqual(Object.keys(row).sort(), ['created_at', 'name', 'operator_id', 'revoked_at']);
      assert.equal(row.revoked_at, null);
      assert.doesNotMatch(JSON.stringify(listed.body), new RegExp(op.key));
      const revoked = await admin('DELETE', `/admin/operators/${op.id}`);
      assert.equal(revoked.status, 200);
      assert.ok(revoked.body.revoked_at);
      const again = await admin('DELETE', `/admin/operators/${op.id}`);
      assert.equal(again.body.revoked_at, revoked.body.revoked_at, 'the first revocation stands');
      assert.equal((await admin('DELETE', '/admin/operators/00000000-0000-4000-8000-000000000000')).status, 404);
      assert.equal((await admin('DELETE', '/admin/operators/not-a-uuid')).status, 400);
    });

    it('every /work-orders route wants a valid operator key; the operator is recorded with each step', async () => {
      // An approved B2B order waiting in the MES queue.
      const created = await sys.request('mes-api', 'POST', '/b2b/orders', {
        body: modelForm(binaryStl(6), { customer_id: 'authz-gmbh', quantity: '1', material: 'PLA' }),
        token: null,
      });
      const id = keepToken(created);
      assert.equal((await sys.request('mes-api', 'POST', `/b2b/orders/${id}/submit`, { token: orderToken(id) })).status, 200);
      const first = await newOperator('day shift');
      const second = await newOperator('packing');
      const gone = await newOperator('left the company');
      await admin('DELETE', `/admin/operators/${gone.id}`);

      const callers = [
        { caller: 'no credential', headers: {}, status: 401, error: 'operator_key_required' },
        { caller: 'an unknown key', headers: bearer(WRONG_BEARER), status: 401, error: 'operator_key_invalid' },
        { caller: "the order's token", headers: bearer(orderToken(id)), status: 401, error: 'operator_key_invalid' },
        { caller: 'the internal token', headers: bearer(TEST_INTERNAL_TOKEN), status: 401, error: 'operator_key_invalid' },
        { caller: 'a revoked operator', headers: bearer(gone.key), status: 403, error: 'operator_revoked' },
      ];
      const routes: Array<Route & { by: { id: string; key: string } }> = [
        { name: 'GET queue', service: 'mes', method: 'GET', path: () => '/work-orders?state=queued', ok: 200, by: first },
        { name: 'GET work order', service: 'mes', method: 'GET', path: (o) => `/work-orders/${o}`, ok: 200, by: first },
        { name: 'POST start', service: 'mes', method: 'POST', path: (o) => `/work-orders/${o}/start`, ok: 200, by: first },
        { name: 'POST complete', service: 'mes', method: 'POST', path: (o) => `/work-orders/${o}/complete`, ok: 200, by: first },
        { name: 'POST package', service: 'mes', method: 'POST', path: (o) => `/work-orders/${o}/package`, ok: 200, by: second },
        {
          name: 'POST ship',
          service: 'mes',
          method: 'POST',
          path: (o) => `/work-orders/${o}/ship`,
          body: () => ({ json: { carrier: 'parcel-co', tracking_number: 'TRK-AUTHZ' } }),
          ok: 200,
          by: second,
        },
      ];
      for (const r of routes) {
        for (const c of callers) {
          const res = await call(r, id, c.headers);
          assert.equal(res.status, c.status, `${r.name}, ${c.caller}: ${JSON.stringify(res.body)}`);
          assert.equal(res.body.error, c.error, `${r.name}, ${c.caller}`);
        }
        // Nothing refused moved the work order: each step still finds it where the last one left it.
        const res = await call(r, id, bearer(r.by.key));
        assert.equal(res.status, r.ok, `${r.name} by a valid operator: ${JSON.stringify(res.body)}`);
      }
      const history = (await registryOrder(sys, id)).history;
      const by = Object.fromEntries(history.map((h) => [h.status, h.operator_id]));
      assert.deepEqual(by, {
        FILE_UPLOADED: null,
        PRICE_CALCULATED: null,
        MANUFACTURING_APPROVED: null,
        MANUFACTURING_STARTED: first.id,
        MANUFACTURING_COMPLETED: first.id,
        PACKAGING: second.id,
        SHIPPED: second.id,
      });
      // A retried step by another operator is a replay: the one who did it stays recorded.
      const replay = await sys.request('mes', 'POST', `/work-orders/${id}/start`, { token: second.key });
      assert.equal(replay.status, 200);
      assert.equal(replay.body.transition.operator_id, first.id);
      // Revoking takes effect at once.
      await admin('DELETE', `/admin/operators/${first.id}`);
      const after = await sys.request('mes', 'GET', `/work-orders/${id}`, { token: first.key });
      assert.equal(after.status, 403);
      assert.equal(after.body.error, 'operator_revoked');
    });
  });
});
