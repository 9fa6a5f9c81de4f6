import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { dbMetrics, operationOf } from '../src/index.js';

describe('dbMetrics', () => {
  it('labels a query by its first keyword only', () => {
    const cases: Array<[string, string]> = [
      ['SELECT * FROM orders WHERE order_id = $1', 'SELECT'],
      ['  insert into orders (order_id) values ($1)', 'INSERT'],
      ['-- the registry\n  UPDATE orders SET status = $2', 'UPDATE'],
      ['WITH x AS (SELECT 1) SELECT * FROM x', 'WITH'],
      ['BEGIN', 'BEGIN'],
      ['VACUUM orders', 'OTHER'],
      ["SELECT 'DROP TABLE'", 'SELECT'],
    ];
    for (const [sql, op] of cases) assert.equal(operationOf(sql), op, sql);
  });

  it('counts durations by operation and outcome, errors by SQLSTATE, and reads the pool at each scrape', async () => {
    const registry = new Registry();
    const pool = { idleCount: 3, totalCount: 5, waitingCount: 2 } as unknown as pg.Pool;
    const observe = dbMetrics(registry, pool, 10);
    observe('SELECT 1', 0.002);
    observe('SELECT pg_sleep(10)', 5, Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }));
    observe('UPDATE orders SET x = 1', 0.01, new Error('connection terminated'));
    const text = await registry.metrics();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.equal(value('db_client_operation_duration_seconds_count{db_operation_name="SELECT",outcome="ok"}'), 1);
    assert.equal(value('db_client_operation_duration_seconds_count{db_operation_name="SELECT",outcome="error"}'), 1);
    assert.equal(value('db_client_operation_duration_seconds_count{db_operation_name="UPDATE",outcome="error"}'), 1);
    assert.equal(value('db_client_errors_total{code="57014"}'), 1);
    assert.equal(value('db_client_errors_total{code="none"}'), 1);
    assert.equal(value('db_client_connection_count{state="idle"}'), 3);
    assert.equal(value('db_client_connection_count{state="used"}'), 2);
    assert.equal(value('db_client_connection_pending_requests'), 2);
    assert.equal(value('db_client_connection_max'), 10);
  });
});
