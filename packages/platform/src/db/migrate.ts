import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';
import type { Database } from './database.js';

/**
 * Applies a service's SQL migrations (files `NNN_name.sql` with `-- Up Migration` sections) in its
 * own schema, under node-pg-migrate's advisory lock so that replicas starting together are safe.
 */
export async function migrate(db: Database, args: { dir: string; schema: string; logger: Logger }): Promise<string[]> {
  const client = await db.pool.connect();
  try {
    const applied = await runner({
      dbClient: client,
      dir: args.dir,
      schema: args.schema,
      migrationsSchema: args.schema,
      migrationsTable: 'schema_migrations',
      direction: 'up',
      checkOrder: true,
      createSchema: false,
      singleTransaction: true,
      log: () => undefined,
    });
    const names = applied.map((m) => m.name);
    if (names.length > 0) args.logger.info({ migrations: names }, 'migrations applied');
    return names;
  } finally {
    client.release();
  }
}
