import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createLogger, Database, migrate, migrationLockOf } from '@orderscope/platform';
import { createTestDatabase, type TestDatabase } from '@orderscope/testkit';

const migrations = (service: string) => fileURLToPath(new URL(`../../../../services/${service}/migrations`, import.meta.url));

/**
 * Services that start together migrate at once (compose starts three after the CRM): each
 * schema has its own lock, and replicas of one service take turns instead of failing.
 */
describe('migrations started together', () => {
  let t: TestDatabase;
  const pools: Database[] = [];
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => {
    for (const p of pools) await p.close();
    await t?.drop();
  });
  const run = (service: 'shop' | 'mes' | 'mes-api') => {
    const config = t.config(service);
    const db = new Database(config);
    pools.push(db);
    return migrate(db, { dir: migrations(service), schema: config.db.schema, logger: createLogger(service, 'silent') });
  };

  it('gives every schema a lock of its own', () => {
    const locks = ['shop', 'mes', 'mes_api', 'crm'].map(migrationLockOf);
    assert.equal(new Set(locks).size, 4);
    assert.equal(migrationLockOf('shop'), migrationLockOf('shop'));
  });

  it('migrates three services at once, and two replicas of one: every one succeeds, each migration applied once', async () => {
    const [shop1, shop2, mes, mesApi] = await Promise.all([run('shop'), run('shop'), run('mes'), run('mes-api')]);
    assert.ok(mes.length > 0 && mesApi.length > 0, 'mes and mes-api migrated');
    assert.deepEqual([...shop1, ...shop2].sort(), [...new Set([...shop1, ...shop2])].sort(), "no shop migration applied twice");
    assert.ok(shop1.length + shop2.length > 0, 'the shop migrated, by one replica or in turns');
  });
});
