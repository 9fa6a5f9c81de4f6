import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ServiceClient } from '@orderscope/platform';
import { ownerOf, pathOf, type Channel, type RegisteredOrder } from '@orderscope/orders';

/**
 * End to end on the running native stack (`npm run local:up`): the README's own command drives
 * orders through the real services, and the CRM's registry must hold each order's whole history.
 */
const root = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

interface SimulatedOrder {
  order_id: string;
  channel: Channel;
  status: string;
  stuck: boolean;
}

function registry(): ServiceClient {
  const secrets = process.env.ORDERSCOPE_SECRETS_DIR ?? resolve(root, '.local/secrets');
  return new ServiceClient({
    target: 'crm',
    baseUrl: process.env.CRM_URL ?? 'http://127.0.0.1:8083',
    token: readFileSync(resolve(secrets, 'internal_api_token'), 'utf8').trim(),
    timeoutMs: 5000,
    retries: 2,
    backoffMs: 200,
  });
}

describe('npm run simulate -- --orders 20 on the native stack', () => {
  it('closes every order, B2C and B2B, with every transition in the registry in order', { timeout: 300_000 }, async () => {
    const { stdout } = await run('npm', ['run', '-s', 'simulate', '--', '--orders', '20', '--quiet'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 280_000,
    });
    const lastLine = stdout.trim().split('\n').at(-1)!;
    const report = JSON.parse(lastLine) as { orders: SimulatedOrder[]; summary: { closed: number } };

    assert.equal(report.orders.length, 20);
    const notClosed = report.orders.filter((o) => o.status !== 'CLOSED');
    assert.deepEqual(notClosed, [], 'every order is CLOSED');
    const channels = new Set(report.orders.map((o) => o.channel));
    assert.deepEqual([...channels].sort(), ['b2b', 'b2c'], 'both channels occur');
    assert.equal(new Set(report.orders.map((o) => o.order_id)).size, 20, 'twenty distinct orders');

    const crm = registry();
    for (const o of report.orders) {
      const { body: order } = await crm.send<RegisteredOrder>('GET', `/registry/orders/${o.order_id}`);
      assert.equal(order.status, 'CLOSED');
      assert.equal(order.channel, o.channel);
      assert.deepEqual(
        order.history.map((h) => h.status),
        pathOf(o.channel),
        `${o.order_id}: all transitions, in order`,
      );
      order.history.forEach((h, i) => {
        assert.equal(h.seq, i + 1);
        assert.equal(h.actor, ownerOf(o.channel, h.status), `${h.status} by its owner`);
        if (i > 0) {
          assert.ok(Date.parse(h.occurred_at) >= Date.parse(order.history[i - 1]!.occurred_at), 'in time order');
          assert.equal(h.previous_status, order.history[i - 1]!.status);
        }
      });
      assert.ok(order.closed_at, 'closing time recorded');
    }
  });
});
