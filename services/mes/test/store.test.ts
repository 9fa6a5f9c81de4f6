import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { storeDatabase } from '@orderscope/testkit';
import { MesStore } from '../src/store.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));

describe('the MES store', () => {
  let t: Awaited<ReturnType<typeof storeDatabase>>;
  let store: MesStore;
  before(async () => {
    t = await storeDatabase('mes', MIGRATIONS);
    store = new MesStore(t.db);
  });
  after(() => t?.close());

  it('takes a hand-off once: a repeated one changes nothing', async () => {
    const id = randomUUID();
    const trace = { traceparent: `00-${'3'.repeat(32)}-${'4'.repeat(16)}-01` };
    await store.receive(id, { quantity: 2, material: 'ABS', traceContext: trace });
    await store.receive(id, { quantity: 7, material: 'PLA', traceContext: null });
    const row = await store.workOrder(id);
    assert.deepEqual([row?.quantity, row?.material, row?.state], [2, 'ABS', 'queued']);
    assert.deepEqual(await store.traceContext(id), trace);
  });

  it('moves a work order step by step, keeping the first time of each step and the carrier', async () => {
    const id = randomUUID();
    await store.receive(id, { quantity: 1, material: 'PLA', traceContext: null });
    const at = new Date(Date.UTC(2026, 0, 1)).toISOString();
    await store.step(id, { state: 'in_progress', column: 'started_at', at });
    const again = await store.step(id, { state: 'in_progress', column: 'started_at', at: new Date().toISOString() });
    assert.equal((again?.started_at as Date).toISOString(), at);
    const shipped = await store.step(id, { state: 'shipped', column: 'shipped_at', at, carrier: 'parcel-co', trackingNumber: 'T-1' });
    assert.deepEqual([shipped?.state, shipped?.carrier, shipped?.tracking_number], ['shipped', 'parcel-co', 'T-1']);
    assert.equal(await store.step(randomUUID(), { state: 'shipped', column: 'shipped_at', at }), undefined);
  });

  it('lists a state\'s queue oldest first, up to the limit', async () => {
    const ids: string[] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await store.receive(id, { quantity: 1, material: 'RESIN', traceContext: null });
    const queued = (await store.queue('queued', 1000)).map((w) => w.order_id);
    assert.deepEqual(queued.filter((id) => ids.includes(id as string)), ids);
    assert.equal((await store.queue('queued', 1)).length, 1);
  });
});
