import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { storeDatabase } from '@orderscope/testkit';
import { ShopStore } from '../src/store.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));
const model = (triangles: number) => ({ format: 'binary' as const, triangles, size: [10, 10, 10] as [number, number, number], bytes: 84 + 50 * triangles, sha256: 'cd'.repeat(32), path: '/tmp/m.stl' });

describe('the shop store', () => {
  let t: Awaited<ReturnType<typeof storeDatabase>>;
  let store: ShopStore;
  before(async () => {
    t = await storeDatabase('shop', MIGRATIONS);
    store = new ShopStore(t.db);
  });
  after(() => t?.close());

  it('stores a new order under its Idempotency-Key, with its trace context', async () => {
    const id = randomUUID();
    const trace = { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`, baggage: 'order_id=x' };
    const creation = store.newOrder('customer-1', 'shop-key-1');
    await creation.insert(id, trace);
    assert.equal(await creation.orderIdByIdempotencyKey('shop-key-1'), id);
    assert.equal(await creation.orderIdByIdempotencyKey('another-key'), undefined);
    assert.deepEqual(await store.traceContext(id), trace);
    const order = await store.order(id);
    assert.equal(order?.user_id, 'customer-1');
    assert.equal(order?.submitted_at, null);
  });

  it('replaces a model with the next one, and keeps the first quantity and material once placed', async () => {
    const id = randomUUID();
    await store.newOrder('customer-2', undefined).insert(id, null);
    assert.equal((await store.orderWithModel(id))?.model, null, 'no model before the first upload');
    await store.saveModel(id, 'upload', model(4));
    await store.saveModel(id, 'constructor', model(12));
    const withModel = await store.orderWithModel(id);
    assert.deepEqual(withModel?.model, { source: 'constructor', format: 'binary', triangles: 12, size_x: 10, size_y: 10, size_z: 10, bytes: 684 });
    assert.equal(withModel?.user_id, 'customer-2');
    assert.equal(await store.orderWithModel(randomUUID()), undefined, 'an unknown order');
    await store.markSubmitted(id, 2, 'PLA');
    await store.markSubmitted(id, 9, 'NYLON');
    const order = await store.order(id);
    assert.deepEqual([order?.quantity, order?.material], [2, 'PLA']);
    assert.ok(order?.submitted_at instanceof Date);
    await store.setPrice(id, 1234);
    assert.equal((await store.order(id))?.price_cents, '1234');
  });

  it('takes each customer notification once, however often the CRM sends it', async () => {
    const id = randomUUID();
    for (const event of ['ORDER_CONFIRMED', 'ORDER_CONFIRMED', 'ORDER_DELIVERED'] as const) await store.addNotification(id, event, 'b2b');
    assert.deepEqual((await store.notifications(id)).map((n) => n.event), ['ORDER_CONFIRMED', 'ORDER_DELIVERED']);
  });

  it("keeps an order's token hashes, each once (OrderTokenTable, shared with the MES API)", async () => {
    const id = randomUUID();
    await store.newOrder('customer-3', undefined).insert(id, null);
    const [a, b] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    for (const hash of [a, b, a]) await store.tokens.addOrderToken(id, hash);
    assert.deepEqual((await store.tokens.orderTokenHashes(id)).sort(Buffer.compare), [a, b]);
    assert.deepEqual(await store.tokens.orderTokenHashes(randomUUID()), [], 'an unknown order has none');
  });
});
