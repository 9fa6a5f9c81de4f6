import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { DASHBOARDS, layout, panelQueries, type PanelQuery } from '@orderscope/dashboards';
import pg from 'pg';
import { eventually, PROMETHEUS_URL, root, secret } from './support/stack.js';
import { logsQuery } from './support/logs.js';
import { componentFetch } from './support/secure.js';

/**
 * The dashboards (packages/dashboards, provisioned into Grafana in compose) against the real
 * native Prometheus, PostgreSQL and VictoriaLogs, after a simulated run with faults: every panel
 * query returns data, the SQL ones as Grafana's read-only role, the LogsQL ones through the log
 * gateway with Grafana's client certificate. Grafana itself cannot run here: this is what it
 * would ask. Runs after the other e2e tests (its name), whose lost orders fire OrdersStuck.
 */
const run = promisify(execFile);
const queries: PanelQuery[] = Object.entries(DASHBOARDS).flatMap(([name, make]) => panelQueries(name, layout(make().build())));

/** Grafana's variables and macros, as Grafana would fill them for "the last 15 minutes, all services". */
const promql = (q: string) => q.replaceAll('$__rate_interval', '1m').replaceAll('$service', '.*');

async function prometheus(q: PanelQuery): Promise<number> {
  const now = Date.now() / 1000;
  const url = q.instant
    ? `${PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(promql(q.query))}`
    : `${PROMETHEUS_URL}/api/v1/query_range?query=${encodeURIComponent(promql(q.query))}&start=${now - 900}&end=${now}&step=15`;
  const res = await componentFetch(url);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  assert.equal(body.status, 'success', `${q.dashboard} / ${q.panel}: ${body.error ?? ''}\n${q.query}`);
  return body.data!.result.length;
}

describe('the dashboards, query by query, on the real Prometheus, PostgreSQL and VictoriaLogs', () => {
  let reader: pg.Client;
  let orderId = '';
  let loggedOrderId = '';
  before(async () => {
    // A run with faults: flaky pricing (retries, 5xx) and lost orders (stuck at the MES).
    for (const scenario of ['flaky-pricing', 'lost-orders']) {
      await run('npm', ['run', '-s', 'simulate', '--', '--orders', '8', '--quiet', '--scenario', scenario], { cwd: root, maxBuffer: 64 << 20, timeout: 300_000 });
    }
    // Scraped since (every 5 s): the last order's transitions are in Prometheus.
    await eventually('the simulated run in Prometheus', 60_000, async () => {
      const res = await componentFetch(`${PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent('sum(increase(orderscope_order_transitions_total{status="CLOSED"}[2m]))')}`);
      const r = ((await res.json()) as { data: { result: Array<{ value: [number, string] }> } }).data.result;
      return r.length && Number(r[0]!.value[1]) > 0 ? true : undefined;
    });
    reader = new pg.Client({ host: '127.0.0.1', port: 5432, database: 'orderscope', user: 'grafana_reader', password: secret('db_password_grafana') });
    await reader.connect();
    // The order-lookup dashboard's order: the oldest still open (its life spans every incident since).
    orderId = (await reader.query<{ order_id: string }>(`SELECT order_id FROM crm.report_orders WHERE status <> 'CLOSED' ORDER BY created_at LIMIT 1`)).rows[0]!.order_id;
    // Its logs panel's order: the newest in the registry, one of the run's (the oldest open one may
    // be older than the logs, which the services have sent only since issue 14).
    loggedOrderId = (await reader.query<{ order_id: string }>(`SELECT order_id FROM crm.report_orders ORDER BY created_at DESC LIMIT 1`)).rows[0]!.order_id;
  });

  it('answers every PromQL panel query with series', { timeout: 120_000 }, async (t: TestContext) => {
    const prom = queries.filter((q) => q.kind === 'promql');
    assert.ok(prom.length >= 30, `${prom.length} PromQL queries`);
    const empty: string[] = [];
    for (const q of prom) {
      assert.equal(q.datasource.uid, 'prometheus', `${q.dashboard} / ${q.panel} reads Prometheus`);
      const series = await prometheus(q);
      t.diagnostic(`${String(series).padStart(3)} series  ${q.dashboard} / ${q.panel}: ${q.query.replace(/\s+/g, ' ')}`);
      if (series === 0) empty.push(`${q.dashboard} / ${q.panel}: ${q.query}`);
    }
    assert.deepEqual(empty, [], 'panels with no data');
  });

  it('evaluates every recording rule in the real Prometheus, and each one has series', async (t: TestContext) => {
    const res = await componentFetch(`${PROMETHEUS_URL}/api/v1/rules?type=record`);
    const body = (await res.json()) as { data: { groups: Array<{ file: string; rules: Array<{ name: string; health: string; lastError?: string }> }> } };
    const rules = body.data.groups.flatMap((g) => g.rules);
    assert.ok(rules.length >= 10, `${rules.length} recording rules loaded`);
    const empty: string[] = [];
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError ?? ''}`);
    // One name may be recorded by several rules (one per SLI): each name once.
    for (const r of [...new Map(rules.map((x) => [x.name, x])).values()]) {
      const series = (await componentFetch(`${PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(r.name)}`).then((x) => x.json())) as { data: { result: unknown[] } };
      t.diagnostic(`${String(series.data.result.length).padStart(3)} series  ${r.name}`);
      if (series.data.result.length === 0) empty.push(r.name);
    }
    assert.deepEqual(empty, [], 'recording rules with no series');
  });

  it('answers every LogsQL panel query with records of that order, from more than one service, in order', { timeout: 120_000 }, async (t: TestContext) => {
    const logs = queries.filter((q) => q.kind === 'logsql');
    assert.ok(logs.length >= 1, `${logs.length} LogsQL queries`);
    for (const q of logs) {
      assert.equal(q.datasource.uid, 'victorialogs', `${q.dashboard} / ${q.panel} reads VictoriaLogs`);
      // $order_id: the order id as typed (the plugin puts a single text value in as it is).
      const text = q.query.replaceAll('${order_id}', loggedOrderId).replaceAll('$order_id', loggedOrderId);
      // The order is this run's, well inside the dashboard's 7 days. Its records reach the store after
      // the services' and the collector's batches: wait until more than one service's are in.
      const records = await eventually(`${q.dashboard} / ${q.panel}: records of order ${loggedOrderId}\n${text}`, 60_000, async () => {
        const r = await logsQuery(text);
        return new Set(r.map((x) => x['service.name'])).size > 1 ? r : undefined;
      }, 1000);
      const services = [...new Set(records.map((r) => r['service.name']))].sort();
      t.diagnostic(`${String(records.length).padStart(3)} records  ${q.dashboard} / ${q.panel} (order ${loggedOrderId}: ${services.join(', ')})`);
      for (const r of records) assert.equal(r.order_id, loggedOrderId, `${q.panel}: only that order's records (exact match)\n${JSON.stringify(r)}`);
      const times = records.map((r) => Date.parse(r._time!));
      assert.deepEqual(times, [...times].sort((a, b) => a - b), `${q.panel}: oldest first`);
    }
  });

  it('answers every SQL panel query with rows, as the read-only role, which reads nothing else', async (t: TestContext) => {
    const sql = queries.filter((q) => q.kind === 'sql');
    assert.ok(sql.length >= 4, `${sql.length} SQL queries`);
    for (const q of sql) {
      assert.equal(q.datasource.uid, 'postgres', `${q.dashboard} / ${q.panel} reads PostgreSQL`);
      // ${order_id:sqlstring}: Grafana's quoted, escaped literal of the variable.
      const text = q.query.replaceAll('${order_id:sqlstring}', pg.escapeLiteral(orderId));
      const rows = (await reader.query(text)).rowCount ?? 0;
      t.diagnostic(`${String(rows).padStart(3)} rows  ${q.dashboard} / ${q.panel}`);
      assert.ok(rows > 0, `${q.dashboard} / ${q.panel} returns rows (order ${orderId})\n${text}`);
    }
    for (const forbidden of ['SELECT user_id FROM crm.orders LIMIT 1', 'SELECT * FROM crm.order_transitions LIMIT 1', 'SELECT * FROM shop.orders LIMIT 1']) {
      await assert.rejects(reader.query(forbidden), /permission denied/, `grafana_reader may not: ${forbidden}`);
    }
    await reader.end();
  });
});
