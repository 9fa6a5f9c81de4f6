import type pg from 'pg';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The first keyword of a statement (SELECT, INSERT, ...), the only part of the SQL a label may carry. */
export function operationOf(sql: string): string {
  const word = /^\s*(?:--[^\n]*\n\s*)*([a-z]+)/i.exec(sql)?.[1]?.toUpperCase();
  return word && ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'WITH', 'BEGIN', 'COMMIT', 'ROLLBACK'].includes(word) ? word : 'OTHER';
}

export type QueryObserver = (sql: string, seconds: number, err?: unknown) => void;

/** Buckets of a query's duration, in seconds: 1 ms to the 5 s statement timeout and beyond. */
export const DB_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A service's PostgreSQL as Prometheus sees it (OpenTelemetry's db.client.* names): each query's
 * duration by operation and outcome, errors by SQLSTATE (57014: the statement timeout), and the
 * pool — connections idle and used, requests waiting for one, its size.
 */
export function dbMetrics(registry: Registry, pool: pg.Pool, poolMax: number): QueryObserver {
  const duration = new Histogram({
    name: 'db_client_operation_duration_seconds',
    help: 'Duration of a query, per operation (its first keyword) and outcome.',
    labelNames: ['db_operation_name', 'outcome'],
    buckets: DB_DURATION_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({ name: 'db_client_errors_total', help: 'Failed queries, per SQLSTATE (or "none": no answer from the server).', labelNames: ['code'], registers: [registry] });
  errors.inc({ code: '57014' }, 0);
  new Gauge({
    name: 'db_client_connection_count',
    help: "The pool's connections, per state.",
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'used' }, pool.totalCount - pool.idleCount);
    },
  });
  new Gauge({
    name: 'db_client_connection_pending_requests',
    help: 'Queries waiting for a connection of the pool.',
    registers: [registry],
    collect() {
      this.set(pool.waitingCount);
    },
  });
  new Gauge({ name: 'db_client_connection_max', help: "The pool's size (DB_POOL_MAX).", registers: [registry] }).set(poolMax);
  return (sql, seconds, err) => {
    duration.observe({ db_operation_name: operationOf(sql), outcome: err ? 'error' : 'ok' }, seconds);
    if (err) errors.inc({ code: (err as { code?: string }).code ?? 'none' });
  };
}
