import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import pg from 'pg';
import type { FaultInjector } from '../faults/faults.js';

export type Row = Record<string, unknown>;

/** Where and as whom a service connects, its schema, its pool and its statement timeout. */
export interface DbConfig {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly schema: string;
  readonly poolMax: number;
  readonly statementTimeoutMs: number;
}

export interface Queryable {
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * A service's connection to PostgreSQL: its own role, its own schema first on the search path,
 * a statement timeout, and the "slow DB" fault applied as a real pg_sleep on the server.
 */
export class Database implements Queryable {
  readonly pool: pg.Pool;
  /** Told of every query's duration and error (metrics: dbMetrics). */
  observe: ((sql: string, seconds: number, err?: unknown) => void) | undefined;

  constructor(
    config: { readonly db: DbConfig; readonly service: string },
    private readonly faults?: FaultInjector,
    onIdleError: (err: Error) => void = () => undefined,
  ) {
    const { db } = config;
    this.pool = new pg.Pool({
      host: db.host,
      port: db.port,
      database: db.database,
      user: db.user,
      password: db.password,
      max: db.poolMax,
      application_name: config.service,
      connectionTimeoutMillis: 5000,
      options: `-c search_path=${db.schema} -c statement_timeout=${db.statementTimeoutMs}`,
    });
    // An idle connection the server ends (PostgreSQL restarting, an administrator's terminate)
    // errors with no query to fail: without a listener that would crash the service. The pool
    // drops that connection and opens a new one when next needed.
    this.pool.on('error', onIdleError);
  }

  async query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<pg.QueryResult<R>> {
    await this.injectLatency(this.pool);
    return this.timed(sql, () => this.pool.query<R>(sql, params as unknown[]));
  }

  private async timed<T>(sql: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      this.observe?.(sql, (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      this.observe?.(sql, (performance.now() - started) / 1000, err);
      throw err;
    }
  }

  /** Runs `work` in one transaction; rolls back on any error. */
  async tx<T>(work: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const q: Queryable = {
      query: async <R extends Row = Row>(sql: string, params?: readonly unknown[]) => {
        await this.injectLatency(client);
        return this.timed(sql, () => client.query<R>(sql, params as unknown[]));
      },
    };
    try {
      await untraced(() => client.query('BEGIN'));
      const result = await work(q);
      await untraced(() => client.query('COMMIT'));
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async injectLatency(target: pg.Pool | pg.PoolClient): Promise<void> {
    const ms = this.faults?.settings.dbLatencyMs ?? 0;
    if (ms > 0) await target.query('SELECT pg_sleep($1)', [ms / 1000]);
  }
}

/**
 * BEGIN and COMMIT get no span: they were a tenth of an order's spans and say nothing the
 * enclosing request's span does not (a failed COMMIT fails that request). ROLLBACK keeps its span.
 */
const untraced = <T>(run: () => Promise<T>): Promise<T> => context.with(suppressTracing(context.active()), run);
