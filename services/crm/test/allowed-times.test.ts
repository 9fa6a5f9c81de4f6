import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { OPEN_STATUSES } from '@orderscope/orders';
import { storeDatabase } from '@orderscope/testkit';
import { publishAllowedWaits, uniformWaits } from '../src/registry/allowed-times.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));

describe('the allowed waits published for the reports', () => {
  let t: Awaited<ReturnType<typeof storeDatabase>>;
  before(async () => {
    t = await storeDatabase('crm', MIGRATIONS);
  });
  after(() => t?.close());

  const published = async () =>
    new Map((await t.db.query<{ status: string; allowed_s: number }>('SELECT status, allowed_s FROM report_allowed_times')).rows.map((r) => [r.status, r.allowed_s]));

  it('holds one row per open status, and what the latest start applies', async () => {
    await publishAllowedWaits(t.db, uniformWaits(60_000));
    await publishAllowedWaits(t.db, { ...uniformWaits(60_000), SHIPPED: 432_000 });
    const rows = await published();
    assert.deepEqual([...rows.keys()].sort(), [...OPEN_STATUSES].sort());
    assert.equal(rows.get('SHIPPED'), 432);
    assert.equal(rows.get('SUBMITTED'), 60);
  });
});
