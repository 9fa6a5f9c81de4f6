import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';
import type { Database } from './database.js';

/**
 * The advisory lock of one schema's migrations. node-pg-migrate takes one fixed lock for the whole
 * database by default, so services starting together (compose starts three at once) refused each
 * other ("Another migration is already running") although they migrate different schemas.
 */
export function migrationLockOf(schema: string): number {
  let h = 0x811c9dc5; // FNV-1a, 32 bits: a stable number per schema name
  for (const c of Buffer.from(`orderscope:migrations:${schema}`)) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  return h;
}

const LOCKED = 'Another migration is already running';

/**
 * Applies a service's SQL migrations (files `NNN_name.sql` with `-- Up Migration` sections) in its
 * own schema, under an advisory lock of that schema: replicas of one service starting together
 * take turns (the second waits, then finds nothing left to apply); other services do not wait.
 */
export async function migrate(
  db: Database,
  args: { dir: string; schema: string; logger: Logger; lockWaitMs?: number },
): Promise<string[]> {
  const deadline = Date.now() + (args.lockWaitMs ?? 60_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db, args);
    } catch (err) {
      if ((err as Error).message !== LOCKED || Date.now() >= deadline) throw err;
      if (attempt === 1) args.logger.info({ schema: args.schema }, 'migrations: another instance is migrating, waiting');
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 2000)));
    }
  }
}

async function migrateOnce(db: Database, args: { dir: string; schema: string; logger: Logger }): Promise<string[]> {
  const client = await db.pool.connect();
  try {
    const applied = await runner({
      lockValue: migrationLockOf(args.schema),
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
