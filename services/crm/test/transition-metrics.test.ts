import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CHANNELS, ORDER_STATUSES } from '@orderscope/orders';
import { createServiceMetrics } from '@orderscope/platform';
import { storeDatabase } from '@orderscope/testkit';
import { OrderRegistry } from '../src/registry/order-registry.js';
import { transitionMetrics } from '../src/registry/transition-metrics.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));

describe("the registry's transition metrics", () => {
  let t: Awaited<ReturnType<typeof storeDatabase>>;
  before(async () => {
    t = await storeDatabase('crm', MIGRATIONS);
  });
  after(() => t?.close());

  it('counts each status entered per channel from 0, not replays, and the time spent in the status left', async () => {
    const { registry: metrics } = createServiceMetrics();
    const registry = new OrderRegistry(t.db, transitionMetrics(metrics));
    const value = async (name: string, labels: Record<string, string>) => {
      // A histogram's series carry their own names (_bucket, _sum, _count).
      const values = (await metrics.getMetricsAsJSON()).flatMap((m) =>
        m.values.map((v) => ({ ...v, name: (v as { metricName?: string }).metricName ?? m.name })),
      );
      return values.find((v) => v.name === name && Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val))?.value;
    };
    for (const status of ORDER_STATUSES) for (const channel of CHANNELS) {
      assert.equal(await value('orderscope_order_transitions_total', { status, channel }), 0, `${status} ${channel} at 0`);
    }
    const id = randomUUID();
    await registry.apply({ orderId: id, status: 'INITIATED', actor: 'shop', channel: 'b2c' });
    await t.db.query(`UPDATE orders SET status_since = now() - interval '90 seconds' WHERE order_id = $1`, [id]);
    await registry.apply({ orderId: id, status: 'FILE_UPLOADED', actor: 'shop' });
    await registry.apply({ orderId: id, status: 'FILE_UPLOADED', actor: 'shop' }); // a replay
    assert.equal(await value('orderscope_order_transitions_total', { status: 'INITIATED', channel: 'b2c' }), 1);
    assert.equal(await value('orderscope_order_transitions_total', { status: 'FILE_UPLOADED', channel: 'b2c' }), 1, 'the replay is not counted');
    assert.equal(await value('orderscope_order_status_duration_seconds_count', { status: 'INITIATED', channel: 'b2c' }), 1);
    const sum = (await value('orderscope_order_status_duration_seconds_sum', { status: 'INITIATED', channel: 'b2c' }))!;
    assert.ok(sum >= 90 && sum < 100, `90 s in INITIATED (${sum})`);
    assert.equal(await value('orderscope_order_status_duration_seconds_bucket', { status: 'INITIATED', channel: 'b2c', le: '60' }), 0);
    assert.equal(await value('orderscope_order_status_duration_seconds_bucket', { status: 'INITIATED', channel: 'b2c', le: '120' }), 1);
  });
});
