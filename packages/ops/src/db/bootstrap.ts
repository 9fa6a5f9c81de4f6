import pg from 'pg';
import { SERVICES, SERVICE_NAMES, type ServiceName } from '@orderscope/orders';

export interface BootstrapOptions {
  /** Superuser (or CREATEROLE + CREATEDB) connection, to the server's maintenance database. */
  admin: pg.ClientConfig;
  database: string;
  /** Login role and password of each service; the role owns only the service's schema. */
  roles: Record<ServiceName, { user: string; password: string }>;
  /** The read-only login of the dashboards (Grafana's PostgreSQL data source); absent: none. */
  reader?: { password: string };
  /**
   * Databases of the stack's other components (Keycloak's), each owned by its own login role,
   * which can reach nothing of the services' database.
   */
  owned?: ReadonlyArray<{ database: string; user: string; password: string }>;
}

/** The dashboards' read-only role: it reads the CRM's report_* views, and nothing else. */
export const READER_ROLE = 'grafana_reader';
/** The views of the CRM's registry the reader may read (services/crm/migrations/005_reporting_views.sql). */
export const READER_VIEWS = ['report_orders', 'report_transitions', 'report_incidents', 'report_allowed_times'] as const;

const ident = (name: string) => pg.escapeIdentifier(name);
const literal = (value: string) => pg.escapeLiteral(value);

/**
 * Creates the database, one login role and one schema per service, and takes every other right
 * away (least privilege). Idempotent: re-running it sets the passwords again and changes nothing else.
 * Each service then migrates its own schema when it starts.
 */
export async function bootstrapDatabase(opts: BootstrapOptions): Promise<void> {
  const admin = new pg.Client(opts.admin);
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${ident(opts.database)}`);
    for (const service of SERVICE_NAMES) {
      const { user, password } = opts.roles[service];
      const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
      const verb = role.rowCount === 0 ? 'CREATE' : 'ALTER';
      await admin.query(
        `${verb} ROLE ${ident(user)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${literal(password)}`,
      );
    }
    if (opts.reader) {
      const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [READER_ROLE]);
      const verb = role.rowCount === 0 ? 'CREATE' : 'ALTER';
      await admin.query(
        `${verb} ROLE ${ident(READER_ROLE)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${literal(opts.reader.password)}`,
      );
    }
    await admin.query(`REVOKE ALL ON DATABASE ${ident(opts.database)} FROM PUBLIC`);
    for (const o of opts.owned ?? []) {
      const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [o.user]);
      const verb = role.rowCount === 0 ? 'CREATE' : 'ALTER';
      await admin.query(`${verb} ROLE ${ident(o.user)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${literal(o.password)}`);
      const db = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [o.database]);
      // UTF8 whatever the server's default (Keycloak refuses to trust SQL_ASCII).
      if (db.rowCount === 0) await admin.query(`CREATE DATABASE ${ident(o.database)} OWNER ${ident(o.user)} ENCODING 'UTF8' TEMPLATE template0`);
      await admin.query(`REVOKE ALL ON DATABASE ${ident(o.database)} FROM PUBLIC`);
      await admin.query(`GRANT ALL ON DATABASE ${ident(o.database)} TO ${ident(o.user)}`);
    }
  } finally {
    await admin.end();
  }

  const db = new pg.Client({ ...opts.admin, database: opts.database });
  await db.connect();
  try {
    await db.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
    for (const service of SERVICE_NAMES) {
      const { user } = opts.roles[service];
      const schema = SERVICES[service].dbSchema;
      await db.query(`GRANT CONNECT ON DATABASE ${ident(opts.database)} TO ${ident(user)}`);
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)} AUTHORIZATION ${ident(user)}`);
      await db.query(`ALTER SCHEMA ${ident(schema)} OWNER TO ${ident(user)}`);
      await db.query(`REVOKE ALL ON SCHEMA ${ident(schema)} FROM PUBLIC`);
    }
    if (opts.reader) {
      // The CRM's migration grants its views to the reader when the role exists; here the same
      // grants for views made before the role was (idempotent either way).
      const crm = SERVICES.crm.dbSchema;
      await db.query(`GRANT CONNECT ON DATABASE ${ident(opts.database)} TO ${ident(READER_ROLE)}`);
      await db.query(`GRANT USAGE ON SCHEMA ${ident(crm)} TO ${ident(READER_ROLE)}`);
      for (const view of READER_VIEWS) {
        const exists = await db.query('SELECT 1 FROM pg_views WHERE schemaname = $1 AND viewname = $2', [crm, view]);
        if (exists.rowCount) await db.query(`GRANT SELECT ON ${ident(crm)}.${ident(view)} TO ${ident(READER_ROLE)}`);
      }
    }
  } finally {
    await db.end();
  }
}
