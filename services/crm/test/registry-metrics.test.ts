import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ORDER_STATUSES, isTerminal } from '@orderscope/orders';
import { createServiceMetrics } from '@orderscope/platform';
import { storeDatabase } from '@orderscope/testkit';
import { OrderRegistry } from '../src/registry/order-registry.js';
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
    registerRegistryMetrics(t.db, registry, HOUR_MS);
    const values = new Map<string, number>();
    for (const m of await registry.getMetricsAsJSON()) {
      for (const v of m.values) values.set(`${m.name}${v.labels.status ? `{${v.labels.status}}` : ''}`, v.value);
    }
    return values;
  }

  it('shows every open status at 0 before any order, so "nothing waits" is a value', async () => {
    const v = await scrape();
    const open = ORDER_STATUSES.filter((s) => !isTerminal(s));
    for (const s of open) {
      for (const name of ['orderscope_orders_open', 'orderscope_orders_stuck', 'orderscope_orders_oldest_age_seconds']) {
        assert.equal(v.get(`${name}{${s}}`), 0, `${name}{${s}}`);
      }
    }
    assert.equal(v.has('orderscope_orders_open{CLOSED}'), false, 'a closed order waits for nothing');
    assert.equal(v.get('orderscope_orders_stuck_after_seconds'), 3600);
  });

  it('counts open and stuck orders per status, and the age of the oldest', async () => {
    const registry = new OrderRegistry(t.db);
    const fresh = randomUUID();
    const old = randomUUID();
    for (const id of [fresh, old]) await registry.apply({ orderId: id, status: 'INITIATED', actor: 'shop', channel: 'b2c' });
    await t.db.query(`UPDATE orders SET status_since = now() - interval '2 hours' WHERE order_id = $1`, [old]);
    const v = await scrape();
    assert.equal(v.get('orderscope_orders_open{INITIATED}'), 2);
    assert.equal(v.get('orderscope_orders_stuck{INITIATED}'), 1, 'only the order older than STUCK_AFTER_S is stuck');
    const oldest = v.get('orderscope_orders_oldest_age_seconds{INITIATED}')!;
    assert.ok(oldest >= 7200 && oldest < 7260, `oldest ${oldest} s`);
    assert.equal(v.get('orderscope_orders_open{SUBMITTED}'), 0);
  });
});
