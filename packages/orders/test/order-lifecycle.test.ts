import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHANNELS,
  checkTransition,
  ORDER_STATUSES,
  ownerOf,
  pathOf,
  SERVICE_NAMES,
  TRANSITIONS,
  type OrderStatus,
} from '../src/index.js';

describe('order lifecycle', () => {
  it('B2C passes through ten statuses, B2B through eight, both ending CLOSED', () => {
    assert.deepEqual(pathOf('b2c'), [
      'INITIATED',
      'FILE_UPLOADED',
      'SUBMITTED',
      'PRICE_CALCULATED',
      'MANUFACTURING_APPROVED',
      'MANUFACTURING_STARTED',
      'MANUFACTURING_COMPLETED',
      'PACKAGING',
      'SHIPPED',
      'CLOSED',
    ]);
    assert.deepEqual(pathOf('b2b'), [
      'FILE_UPLOADED',
      'PRICE_CALCULATED',
      'MANUFACTURING_APPROVED',
      'MANUFACTURING_STARTED',
      'MANUFACTURING_COMPLETED',
      'PACKAGING',
      'SHIPPED',
      'CLOSED',
    ]);
  });

  it('names the owners of the mission table, FILE_UPLOADED by the shop (B2C) and the MES API (B2B)', () => {
    const expected: Record<OrderStatus, string> = {
      INITIATED: 'shop',
      FILE_UPLOADED: 'shop',
      SUBMITTED: 'shop',
      PRICE_CALCULATED: 'mes-api',
      MANUFACTURING_APPROVED: 'crm',
      MANUFACTURING_STARTED: 'mes',
      MANUFACTURING_COMPLETED: 'mes',
      PACKAGING: 'mes',
      SHIPPED: 'mes',
      CLOSED: 'crm',
    };
    for (const status of ORDER_STATUSES) assert.equal(ownerOf('b2c', status), expected[status], status);
    assert.equal(ownerOf('b2b', 'FILE_UPLOADED'), 'mes-api');
    assert.equal(ownerOf('b2b', 'INITIATED'), undefined);
    assert.equal(ownerOf('b2b', 'SUBMITTED'), undefined);
    // The mission's eleven table rows: ten B2C transitions plus the B2B upload.
    const rows = new Set(TRANSITIONS.map((t) => `${t.to}/${t.by}`));
    assert.equal(rows.size, 11);
  });

  for (const channel of CHANNELS) {
    // The CRM's registry relies on it: only a transition the machine refuses can be a replay.
    it(`reaches each ${channel} status once`, () => {
      const path = pathOf(channel);
      assert.equal(new Set(path).size, path.length);
    });

    it(`accepts every legal ${channel} transition by its owner`, () => {
      const path = pathOf(channel);
      path.forEach((next, i) => {
        const check = checkTransition({ channel, current: i === 0 ? null : path[i - 1]!, next, actor: ownerOf(channel, next)! });
        assert.equal(check.ok, true, `${path[i - 1] ?? 'new'} → ${next}`);
      });
    });

    it(`refuses every ${channel} transition made by another service (wrong_owner)`, () => {
      const path = pathOf(channel);
      path.forEach((next, i) => {
        for (const actor of SERVICE_NAMES.filter((s) => s !== ownerOf(channel, next))) {
          const check = checkTransition({ channel, current: i === 0 ? null : path[i - 1]!, next, actor });
          assert.equal(check.ok, false);
          assert.equal(!check.ok && check.reason, 'wrong_owner', `${actor} → ${next}`);
        }
      });
    });

    it(`refuses ${channel} transitions from any status but the one before (out_of_order)`, () => {
      const path = pathOf(channel);
      path.forEach((next, i) => {
        const legalFrom = i === 0 ? null : path[i - 1]!;
        for (const current of [null, ...ORDER_STATUSES].filter((s) => s !== legalFrom)) {
          const check = checkTransition({ channel, current, next, actor: ownerOf(channel, next)! });
          assert.equal(!check.ok && check.reason, 'out_of_order', `${current} → ${next}`);
        }
      });
    });
  }

  it('refuses statuses that never occur on the channel, naming the reason', () => {
    const check = checkTransition({ channel: 'b2b', current: 'FILE_UPLOADED', next: 'SUBMITTED', actor: 'shop' });
    assert.equal(check.ok, false);
    assert.equal(!check.ok && check.reason, 'not_in_channel');
    assert.match(!check.ok ? check.message : '', /SUBMITTED does not occur on the b2b path/);
  });

  it('explains a refusal in words', () => {
    const skip = checkTransition({ channel: 'b2c', current: 'INITIATED', next: 'SUBMITTED', actor: 'shop' });
    assert.match(!skip.ok ? skip.message : '', /SUBMITTED needs the order in FILE_UPLOADED, but it is INITIATED/);
    const owner = checkTransition({ channel: 'b2c', current: 'SHIPPED', next: 'CLOSED', actor: 'mes' });
    assert.match(!owner.ok ? owner.message : '', /CLOSED on the b2c path is set by crm, not mes/);
  });
});
