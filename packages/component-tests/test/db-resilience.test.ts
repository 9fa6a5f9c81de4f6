import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startSystem, type System } from '../src/system.js';

describe('a service whose database connections are cut', () => {
  let sys: System;
  before(async () => {
    sys = await startSystem();
  });
  after(() => sys?.stop());

  it('survives PostgreSQL ending its idle connections, and reconnects for the next request', async () => {
    const ready = () => fetch(`${sys.services.shop.url}/health/ready`);
    assert.equal((await ready()).status, 200, 'ready before');
    const admin = await sys.db.admin();
    try {
      // What a PostgreSQL restart or an administrator's terminate does to the shop's pool.
      const cut = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
        [sys.db.name, 'shop'],
      );
      assert.ok((cut.rowCount ?? 0) >= 1, 'the shop had a pooled connection to cut');
    } finally {
      await admin.end();
    }
    // The idle connections' errors arrive asynchronously; without a pool error listener the
    // process would crash here (an uncaught 'error' event fails this test file).
    const deadline = Date.now() + 5000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await ready()).status;
      if (status !== 200) await delay(50);
    }
    assert.equal(status, 200, 'ready again on a new connection');
  });
});
