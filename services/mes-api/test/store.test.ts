import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { storeDatabase } from '@orderscope/testkit';
import { MesApiStore } from '../src/store.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));
const MODEL = { format: 'binary' as const, triangles: 12, size: [40, 30, 20] as [number, number, number], bytes: 684, sha256: 'ab'.repeat(32), path: '/tmp/m.stl' };
const TRACE = { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` };

describe('the MES API store', () => {
  let t: Awaited<ReturnType<typeof storeDatabase>>;
  let store: MesApiStore;
  before(async () => {
    t = await storeDatabase('mes-api', MIGRATIONS);
    store = new MesApiStore(t.db);
  });
  after(() => t?.close());

  it('stores a B2B order with its model, found again by its Idempotency-Key and read for pricing', async () => {
    const id = randomUUID();
    let filesWritten = 0;
    const creation = store.newOrder({ customerId: 'acme', quantity: 3, material: 'PETG' }, 'key-1', async () => {
      filesWritten++;
      return MODEL;
    });
    assert.equal(await creation.orderIdByIdempotencyKey('key-1'), undefined);
    await creation.insert(id, TRACE);
    assert.equal(filesWritten, 1);
    assert.equal(await creation.orderIdByIdempotencyKey('key-1'), id);
    assert.deepEqual(await store.byIdempotencyKey('key-1'), { orderId: id, trace: TRACE });
    assert.deepEqual(await store.traceContext(id), TRACE);
    assert.deepEqual(await store.b2bForPricing(id), { quantity: 3, material: 'PETG', size: [40, 30, 20] });
    assert.equal(await store.b2bForPricing(randomUUID()), undefined);
  });

  it('writes nothing when the model file cannot be stored', async () => {
    const id = randomUUID();
    const creation = store.newOrder({ customerId: 'acme', quantity: 1, material: 'PLA' }, 'key-2', async () => {
      throw new Error('not an STL model');
    });
    await assert.rejects(creation.insert(id, null), /not an STL/);
    assert.equal(await store.b2bView(id), undefined);
  });

  it('keeps the first price of an order: a retried request with other inputs gets it back', async () => {
    const orderId = randomUUID();
    const first = await store.priceOnce({ orderId, channel: 'b2c', quantity: 2, material: 'PLA', volumeCm3: 10, priceCents: 740 });
    const retried = await store.priceOnce({ orderId, channel: 'b2c', quantity: 5, material: 'NYLON', volumeCm3: 10, priceCents: 99_999 });
    assert.deepEqual(first, { price_cents: '740', quantity: 2, material: 'PLA' });
    assert.deepEqual(retried, first);
  });
});
