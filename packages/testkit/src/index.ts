import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { createLogger, Database, migrate } from '@orderscope/platform';
import { bootstrapDatabase } from '@orderscope/ops';
import { SERVICES, SERVICE_NAMES, writeBinaryStl, type ServiceName } from '@orderscope/orders';
import { loadServiceConfig, type ServiceConfig } from '@orderscope/service-kit';

/**
 * Test support: a throw-away database with its own service roles on a real PostgreSQL — the
 * native stack's (`npm run local:up`) unless TEST_PG_ADMIN_URL names another server.
 */
function adminConfig(): pg.ClientConfig {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (url) return { connectionString: url };
  const secrets = resolve(process.env.ORDERSCOPE_SECRETS_DIR ?? '.local/secrets');
  let password: string;
  try {
    password = readFileSync(resolve(secrets, 'postgres_password'), 'utf8').trim();
  } catch {
    throw new Error(
      `no PostgreSQL for the tests: start the native stack (npm run local:up) or set TEST_PG_ADMIN_URL (looked for ${secrets}/postgres_password)`,
    );
  }
  return {
    host: process.env.DB_HOST ?? '127.0.0.1',
    port: Number(process.env.DB_PORT ?? 5432),
    user: 'postgres',
    password,
    database: 'postgres',
  };
}

export interface TestDatabase {
  readonly name: string;
  /** A service's environment for this database, its own role and test secrets; PORT 0 = random, METRICS_PORT 0 = none. */
  env(service: ServiceName, extra?: Record<string, string>): Record<string, string>;
  config(service: ServiceName, extra?: Record<string, string>): ServiceConfig;
  /** Connection as the admin, for assertions on what the services stored. */
  admin(): Promise<pg.Client>;
  drop(): Promise<void>;
}

export const TEST_INTERNAL_TOKEN = 'test-internal-token-0123456789';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abc';

export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = adminConfig();
  const id = randomBytes(4).toString('hex');
  const name = `orderscope_test_${id}`;
  const roles = Object.fromEntries(
    SERVICE_NAMES.map((s) => [s, { user: `ost_${id}_${SERVICES[s].dbSchema}`, password: randomBytes(18).toString('base64url') }]),
  ) as Record<ServiceName, { user: string; password: string }>;
  await bootstrapDatabase({ admin, database: name, roles });
  const adminDb = { ...admin, database: name };
  const probe = new pg.Client(admin);
  await probe.connect();
  const { host, port } = probe as unknown as { host: string; port: number };
  await probe.end();

  const env = (service: ServiceName, extra: Record<string, string> = {}) => ({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DB_HOST: host,
    DB_PORT: String(port),
    DB_NAME: name,
    DB_USER: roles[service].user,
    DB_PASSWORD: roles[service].password,
    INTERNAL_API_TOKEN: TEST_INTERNAL_TOKEN,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    USER_ID_HMAC_KEY: 'test-user-id-hmac-key-0123456789',
    HTTP_TIMEOUT_MS: '1000',
    HTTP_RETRIES: '3',
    HTTP_BACKOFF_MS: '20',
    UPLOAD_DIR: `/tmp/orderscope-test-uploads/${id}/${service}`,
    // No /metrics server unless a test gives it a port and TLS files (startSystem does).
    METRICS_PORT: '0',
    ...extra,
  });
  return {
    name,
    env,
    config: (service, extra) => loadServiceConfig(service, env(service, extra)),
    admin: async () => {
      const c = new pg.Client(adminDb);
      await c.connect();
      return c;
    },
    drop: async () => {
      const c = new pg.Client(admin);
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
        for (const { user } of Object.values(roles)) await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(user)}`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Polls `probe` until it returns a value (not undefined) without throwing, or fails after
 * `deadlineMs` naming what it waited for and the probe's last error: polling with a deadline,
 * never sleep-and-hope.
 */
export async function eventually<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>, everyMs = 250): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) {
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A binary STL of `triangles` triangles spanning 0..10 mm on each axis. */
export function binaryStl(triangles: number): Buffer {
  return writeBinaryStl(Array.from({ length: triangles }, () => [[0, 0, 0], [10, 0, 0], [0, 10, 10]] as const), 'orderscope test model');
}

/** A multipart upload of `content` as the `model` file, with form `fields`, as a browser sends it. */
export function modelForm(content: Buffer = binaryStl(4), fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('model', new Blob([new Uint8Array(content)]), 'part.stl');
  return form;
}

/**
 * A service's store against a real PostgreSQL: a throw-away database, the service's own role and
 * schema, its migrations applied (`migrationsDir`: the service's `migrations/`).
 */
export async function storeDatabase(service: ServiceName, migrationsDir: string): Promise<{ db: Database; close(): Promise<void> }> {
  const testDb = await createTestDatabase();
  const config = testDb.config(service);
  const db = new Database(config);
  try {
    await migrate(db, { dir: migrationsDir, schema: config.db.schema, logger: createLogger(service, 'silent') });
  } catch (err) {
    await db.close();
    await testDb.drop();
    throw err;
  }
  return {
    db,
    close: async () => {
      await db.close();
      await testDb.drop();
    },
  };
}

export { growth, slopePerMinute, type Point } from './growth.js';
