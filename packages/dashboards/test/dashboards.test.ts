import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DASHBOARDS, DS, layout, panelQueries } from '../src/index.js';

const built = Object.entries(DASHBOARDS).map(([name, make]) => [name, layout(make().build())] as const);
const provisioned = new Set<string>(Object.values(DS).map((d) => d.uid));

describe('the dashboards', () => {
  it('have one uid each, under the orderscope tag', () => {
    const uids = built.map(([, d]) => d.uid);
    assert.equal(new Set(uids).size, uids.length);
    for (const [name, d] of built) assert.deepEqual(d.tags, ['orderscope'], name);
  });

  for (const [name, d] of built) {
    it(`${name}: every panel has a query of a known data source, a description, and a place of its own on the grid`, () => {
      const cells = new Set<string>();
      for (const p of d.panels ?? []) {
        const panel = p as { type: string; title?: string; description?: string; gridPos?: { x: number; y: number; w: number; h: number } };
        const g = panel.gridPos!;
        assert.ok(g.x >= 0 && g.x + g.w <= 24, `${panel.title} within 24 columns`);
        for (let x = g.x; x < g.x + g.w; x++) {
          for (let y = g.y; y < g.y + g.h; y++) {
            assert.ok(!cells.has(`${x},${y}`), `${panel.title} overlaps another panel at ${x},${y}`);
            cells.add(`${x},${y}`);
          }
        }
        if (panel.type === 'row') continue;
        assert.ok(panel.description && panel.description.length > 10, `${panel.title} says what it shows`);
      }
      const queries = panelQueries(name, d);
      assert.ok(queries.length > 0);
      for (const q of queries) {
        assert.ok(provisioned.has(q.datasource.uid!), `${q.panel}: data source ${q.datasource.uid} is provisioned`);
        assert.equal(q.kind === 'sql', q.datasource.uid === 'postgres', `${q.panel}: SQL goes to PostgreSQL`);
        assert.equal(q.kind === 'logsql', q.datasource.uid === 'victorialogs', `${q.panel}: LogsQL goes to VictoriaLogs`);
        assert.equal(q.kind === 'promql', q.datasource.uid === 'prometheus', `${q.panel}: PromQL goes to Prometheus`);
      }
    });
  }

  it('read the registry through its report views only, and the order lookup through an escaped variable', () => {
    for (const q of built.flatMap(([name, d]) => panelQueries(name, d)).filter((x) => x.kind === 'sql')) {
      // Every schema-qualified relation it names (the queries name no other kind).
      const relations = [...q.query.matchAll(/\b([a-z_]+\.[a-z_]+)\b/gi)].map((m) => m[1]!).filter((r) => !/^[a-z]\./.test(r));
      assert.ok(relations.length > 0, q.panel);
      for (const name of relations) assert.match(name, /^crm\.report_/, `${q.panel} reads ${name}`);
      assert.ok(!q.query.includes('$order_id') && !q.query.includes("'${order_id}'"), `${q.panel}: the order id only as \${order_id:sqlstring}`);
    }
  });

  it("show the order's logs on the order lookup: an exact match of the order, oldest first, as the logs panel's instant query", () => {
    const lookup = built.find(([name]) => name === 'order-lookup')![1];
    const panel = (lookup.panels ?? []).find((p) => p.title === 'Logs of this order') as { type?: string; targets?: Array<Record<string, unknown>> } | undefined;
    assert.ok(panel, 'a logs panel on the order lookup');
    assert.equal(panel.type, 'logs');
    // As provisioned (the JSON written to grafana/provisioning/dashboards).
    assert.deepEqual(JSON.parse(JSON.stringify(panel.targets)), [
      {
        refId: 'A',
        datasource: { type: 'victoriametrics-logs-datasource', uid: 'victorialogs' },
        expr: 'order_id:="$order_id" | sort by (_time)',
        queryType: 'instant',
        editorMode: 'code',
      },
    ]);
    // The variable it fills in is the dashboard's own.
    assert.ok((lookup.templating?.list ?? []).some((v) => v.name === 'order_id'));
  });

  it('list every logging alert on the tracing pipeline, each with a row of its own while it does not fire', () => {
    const pipeline = built.find(([name]) => name === 'tracing-pipeline')![1];
    const [q] = panelQueries('tracing-pipeline', pipeline).filter((x) => x.panel === 'Logging alerts firing');
    assert.ok(q?.instant, 'an instant query');
    const rules = readFileSync(new URL('../../../../prometheus/rules/logging.yml', import.meta.url), 'utf8');
    const alerts = [...rules.matchAll(/^\s*- alert: (\w+)$/gm)].map((x) => x[1]!);
    assert.ok(alerts.length >= 3, `${alerts.length} alerts in logging.yml`);
    const selector = /alertname=~"([^"]+)"/.exec(q.query)![1]!.split('|');
    const zeroRows = [...q.query.matchAll(/or on \(alertname\) label_replace\(vector\(0\), "alertname", "(\w+)", "", ""\)/g)].map((x) => x[1]!);
    assert.deepEqual([...selector].sort(), [...alerts].sort(), 'the firing ones, of logging.yml');
    assert.deepEqual([...zeroRows].sort(), [...alerts, 'ScrapeTargetDown'].sort(), 'a 0 row for each, and for the store down');
    assert.match(q.query, /alertname="ScrapeTargetDown",job="victorialogs"/);
  });
});
