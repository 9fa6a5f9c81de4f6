import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { storeDatabase } from '@orderscope/testkit';
import { OrderRegistry } from '../src/registry/order-registry.js';
import { CrmStore } from '../src/store.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));

describe('the CRM store', () => {
  let t: Awaited<ReturnType<typeof storeDatabase>>;
  let store: CrmStore;
  let registry: OrderRegistry;
  before(async () => {
    t = await storeDatabase('crm', MIGRATIONS);
    store = new CrmStore(t.db);
    registry = new OrderRegistry(t.db);
  });
  after(() => t?.close());

  async function registered(): Promise<string> {
    const id = randomUUID();
    await registry.apply({ orderId: id, status: 'INITIATED', actor: 'shop', channel: 'b2c' });
    return id;
  }
  const row = async (sql: string, id: string) => (await t.db.query(sql, [id])).rows[0];

  it('keeps the first approval, and the first hand-off time', async () => {
    const id = await registered();
    const at = new Date(Date.UTC(2026, 0, 2)).toISOString();
    await store.approve(id, { quantity: 4, material: 'NYLON', priceCents: 2000, at });
    await store.approve(id, { quantity: 9, material: 'PLA', priceCents: 1, at: new Date().toISOString() });
    const approval = await row('SELECT * FROM approvals WHERE order_id = $1', id);
    assert.deepEqual([approval?.quantity, approval?.material, approval?.price_cents, (approval?.approved_at as Date).toISOString()], [4, 'NYLON', '2000', at]);
    assert.equal(approval?.handed_to_mes_at, null);
    await store.markHandedToMes(id);
    const first = (await row('SELECT handed_to_mes_at FROM approvals WHERE order_id = $1', id))?.handed_to_mes_at as Date;
    await store.markHandedToMes(id);
    assert.deepEqual((await row('SELECT handed_to_mes_at FROM approvals WHERE order_id = $1', id))?.handed_to_mes_at, first);
  });

  it('keeps the first delivery message of an order', async () => {
    const id = await registered();
    const at = new Date(Date.UTC(2026, 0, 3)).toISOString();
    await store.delivered(id, { trackingNumber: 'T-1', deliveredAt: at });
    await store.delivered(id, { trackingNumber: 'T-2', deliveredAt: new Date().toISOString() });
    const d = await row('SELECT tracking_number, delivered_at FROM deliveries WHERE order_id = $1', id);
    assert.deepEqual([d?.tracking_number, (d?.delivered_at as Date).toISOString()], ['T-1', at]);
  });
});
