import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { SERVICES, SERVICE_NAMES } from '@orderscope/orders';
import { startSystem, type System } from '../src/system.js';

describe('each service owns its schema and nothing else', () => {
  let sys: System;
  before(async () => {
    sys = await startSystem();
  });
  after(() => sys?.stop());

  const connectAs = async (service: (typeof SERVICE_NAMES)[number]) => {
    const env = sys.db.env(service);
    const client = new pg.Client({
      host: env.DB_HOST,
      port: Number(env.DB_PORT),
      database: env.DB_NAME,
      user: env.DB_USER,
      password: env.DB_PASSWORD,
    });
    await client.connect();
    return client;
  };

  it('lets a service read its own tables and refuses every other schema and public', async () => {
    for (const service of SERVICE_NAMES) {
      const client = await connectAs(service);
      try {
        const own = SERVICES[service].dbSchema;
        const tables = await client.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [own]);
        assert.ok(tables.rowCount! > 0, `${service} migrated its schema`);
        await client.query(`SELECT count(*) FROM ${own}.schema_migrations`);
        for (const other of SERVICE_NAMES.filter((s) => s !== service)) {
          const schema = SERVICES[other].dbSchema;
          await assert.rejects(client.query(`SELECT 1 FROM ${schema}.schema_migrations LIMIT 1`), /permission denied/, `${service} → ${schema}`);
        }
        await assert.rejects(client.query('CREATE TABLE public.sneaky (x int)'), /permission denied/);
        await assert.rejects(client.query('CREATE SCHEMA sneaky'), /permission denied/);
      } finally {
        await client.end();
      }
    }
  });
});
