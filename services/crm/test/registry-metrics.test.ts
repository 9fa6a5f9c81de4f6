import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { OPEN_STATUSES } from '@orderscope/orders';
import { createServiceMetrics } from '@orderscope/platform';
import { storeDatabase } from '@orderscope/testkit';
import { OrderRegistry } from '../src/registry/order-registry.js';
import { uniformWaits } from '../src/registry/allowed-times.js';
import { registerRegistryMetrics } from '../src/registry/registry-metrics.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));
const HOUR_MS = 3_600_000;

describe("the registry's metrics", () => {
  let t: Awaited<ReturnType<typeof storeDatabase>>;
  before(async () => {
    t = await storeDatabase('crm', MIGRATIONS);
  });
  after(() => t?.close());

  /** The value of `name{status=…}` in a fresh scrape. */
  async function scrape() {
    const { registry } = createServiceMetrics();
    // An hour everywhere, but a day for INITIATED: each status is held to its own allowed time.
    registerRegistryMetrics(t.db, registry, { ...uniformWaits(HOUR_MS), INITIATED: 24 * HOUR_MS });
    const values = new Map<string, number>();
    for (const m of await registry.getMetricsAsJSON()) {
      for (const v of m.values) values.set(`${m.name}${v.labels.status ? `{${v.labels.status}}` : ''}`, v.value);
    }
    return values;
  }

  it('shows every open status at 0 before any order, so "nothing waits" is a value', async () => {
    const v = await scrape();
    for (const s of OPEN_STATUSES) {
      for (const name of ['orderscope_orders_open', 'orderscope_orders_stuck', 'orderscope_orders_oldest_age_seconds']) {
        assert.equal(v.get(`${name}{${s}}`), 0, `${name}{${s}}`);
      }
    }
    assert.equal(v.has('orderscope_orders_open{CLOSED}'), false, 'a closed order waits for nothing');
    assert.equal(v.get('orderscope_orders_allowed_wait_seconds{SUBMITTED}'), 3600);
    assert.equal(v.get('orderscope_orders_allowed_wait_seconds{INITIATED}'), 86_400);
  });

  it('counts open and stuck orders per status, each against its own allowed time, and the age of the oldest', async () => {
    const registry = new OrderRegistry(t.db);
    const [fresh, old, older, submitted] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const id of [fresh, old, older, submitted]) await registry.apply({ orderId: id, status: 'INITIATED', actor: 'shop', channel: 'b2c' });
    await registry.apply({ orderId: submitted, status: 'FILE_UPLOADED', actor: 'shop' });
    await registry.apply({ orderId: submitted, status: 'SUBMITTED', actor: 'shop' });
    const age = (id: string, hours: number) => t.db.query(`UPDATE orders SET status_since = now() - make_interval(hours => $2) WHERE order_id = $1`, [id, hours]);
    await age(old, 2); // over SUBMITTED's hour, under INITIATED's day: not stuck
    await age(older, 25);
    await age(submitted, 2);
    const v = await scrape();
    assert.equal(v.get('orderscope_orders_open{INITIATED}'), 3);
    assert.equal(v.get('orderscope_orders_stuck{INITIATED}'), 1, 'only the order older than a day is stuck in INITIATED');
    assert.equal(v.get('orderscope_orders_stuck{SUBMITTED}'), 1, 'two hours is too long for SUBMITTED');
    const oldest = v.get('orderscope_orders_oldest_age_seconds{INITIATED}')!;
    assert.ok(oldest >= 25 * 3600 && oldest < 25 * 3600 + 60, `oldest ${oldest} s`);
    assert.equal(v.get('orderscope_orders_open{PACKAGING}'), 0);
  });
});
