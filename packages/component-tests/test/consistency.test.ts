import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { checkConsistency } from '@orderscope/ops';
import { b2bApprovedOrder, b2cOrderWithModel, manufactureAndDeliver, submitB2c } from '../src/flows.js';
import { startSystem, type System } from '../src/system.js';

/**
 * The consistency check (packages/ops/src/db/consistency.ts) on orders the real services made:
 * clean as they leave them, and each kind of damage found and named, one at a time.
 */
describe('the consistency check: every service agrees with the registry', () => {
  let sys: System;
  let db: pg.Client;
  let closed: { b2c: string; b2b: string };
  let approved: string;
  let uploaded: string;
  before(async () => {
    sys = await startSystem();
    db = await sys.db.admin();
    const b2c = await b2cOrderWithModel(sys);
    assert.equal((await submitB2c(sys, b2c)).status, 200);
    await manufactureAndDeliver(sys, b2c);
    const b2b = await b2bApprovedOrder(sys);
    await manufactureAndDeliver(sys, b2b);
    closed = { b2c, b2b };
    approved = await b2cOrderWithModel(sys, 'customer-2');
    assert.equal((await submitB2c(sys, approved)).status, 200);
    uploaded = await b2cOrderWithModel(sys, 'customer-3');
  });
  after(async () => {
    await db?.end();
    await sys?.stop();
  });

  it('finds nothing wrong with orders the services made, closed or on their way', async () => {
    const report = await checkConsistency(db);
    assert.deepEqual(report.problems, []);
    assert.equal(report.orders, 4);
    assert.deepEqual(report.by_status, { CLOSED: 2, MANUFACTURING_APPROVED: 1, FILE_UPLOADED: 1 });
  });

  it('reads the orders a page at a time: any batch size gives the same report, damaged or not', async () => {
    // Two orders damaged, so that their problems fall on different pages.
    const damage = [
      [`UPDATE mes.work_orders SET state = 'packaging' WHERE order_id = $1`, `UPDATE mes.work_orders SET state = 'shipped' WHERE order_id = $1`, closed.b2b],
      [`UPDATE shop.orders SET submitted_at = NULL WHERE order_id = $1`, `UPDATE shop.orders SET submitted_at = now() WHERE order_id = $1`, approved],
    ] as const;
    for (const [sql, , id] of damage) await db.query(sql, [id]);
    try {
      const scopes = [{}, { orderIds: [uploaded, closed.b2c, approved, closed.b2b, uploaded] }, { since: new Date(Date.now() - 600_000) }];
      for (const scope of scopes) {
        for (const settleMs of [0, 1]) {
          const one = await checkConsistency(db, { ...scope, settleMs });
          assert.equal(one.orders, 4);
          assert.equal(new Set(one.problems.map((p) => p.order_id)).size, 2, JSON.stringify(one.problems));
          for (const batchSize of [1, 3]) {
            assert.deepEqual(await checkConsistency(db, { ...scope, settleMs, batchSize }), one, `batch ${batchSize}, ${JSON.stringify(scope)}, settle ${settleMs}`);
          }
        }
      }
    } finally {
      for (const [, undo, id] of damage) await db.query(undo, [id]);
    }
  });

  const cases: Array<{ name: string; order: () => string; damage: string; undo: string; where: string; problem: RegExp }> = [
    {
      name: 'a work order the MES lost',
      order: () => approved,
      damage: `CREATE TEMP TABLE kept AS SELECT * FROM mes.work_orders WHERE order_id = $1; DELETE FROM mes.work_orders WHERE order_id = $1`,
      undo: `INSERT INTO mes.work_orders SELECT * FROM kept; DROP TABLE kept`,
      where: 'mes',
      problem: /missing: the work order/,
    },
    {
      name: 'a work order behind the registry',
      order: () => closed.b2b,
      damage: `UPDATE mes.work_orders SET state = 'packaging' WHERE order_id = $1`,
      undo: `UPDATE mes.work_orders SET state = 'shipped' WHERE order_id = $1`,
      where: 'mes',
      problem: /work order packaging, the registry says CLOSED/,
    },
    {
      name: 'a transition missing from the history',
      order: () => closed.b2c,
      damage: `UPDATE crm.order_transitions SET seq = seq + 100 WHERE order_id = $1 AND status = 'PACKAGING'`,
      undo: `UPDATE crm.order_transitions SET seq = seq - 100 WHERE order_id = $1 AND status = 'PACKAGING'`,
      where: 'registry',
      problem: /gaps|not the b2c path/,
    },
    {
      name: 'a submission the shop never stored',
      order: () => approved,
      damage: `UPDATE shop.orders SET submitted_at = NULL WHERE order_id = $1`,
      undo: `UPDATE shop.orders SET submitted_at = now() WHERE order_id = $1`,
      where: 'shop',
      problem: /missing: the submission/,
    },
    {
      name: 'a price made for an order the registry has not priced',
      order: () => uploaded,
      damage: `INSERT INTO mes_api.prices (order_id, channel, quantity, material, volume_cm3, price_cents) VALUES ($1, 'b2c', 1, 'PLA', 1, 100)`,
      undo: `DELETE FROM mes_api.prices WHERE order_id = $1`,
      where: 'mes-api',
      problem: /unexpected: the price/,
    },
  ];
  for (const c of cases) {
    it(`finds ${c.name}`, async () => {
      const id = c.order();
      for (const sql of c.damage.split('; ')) await db.query(sql, sql.includes('$1') ? [id] : []);
      try {
        const report = await checkConsistency(db, { orderIds: [closed.b2c, closed.b2b, approved, uploaded] });
        const all = JSON.stringify(report.problems);
        assert.ok(report.problems.length > 0, 'found');
        assert.ok(report.problems.every((p) => p.order_id === id && p.where === c.where), `that order, there only: ${all}`);
        assert.ok(report.problems.some((p) => c.problem.test(p.problem)), `named: ${all}`);
      } finally {
        for (const sql of c.undo.split('; ')) await db.query(sql, sql.includes('$1') ? [id] : []);
      }
    });
  }

  it('finds an order a service holds that the registry never heard of, and an id nobody holds', async () => {
    const ghost = '00000000-0000-4000-8000-000000000001';
    await db.query(`INSERT INTO shop.orders (order_id, user_id) VALUES ($1, 'ghost')`, [ghost]);
    try {
      const report = await checkConsistency(db, { since: new Date(Date.now() - 60_000) });
      assert.deepEqual(report.problems.map((p) => [p.order_id, p.where]), [[ghost, 'registry']]);
      assert.match(report.problems[0]!.problem, /unknown to the registry, but held by shop/);
      const nobody = '00000000-0000-4000-8000-000000000002';
      const byId = await checkConsistency(db, { orderIds: [nobody] });
      assert.match(byId.problems[0]!.problem, /held by no service/);
    } finally {
      await db.query('DELETE FROM shop.orders WHERE order_id = $1', [ghost]);
    }
  });
});
