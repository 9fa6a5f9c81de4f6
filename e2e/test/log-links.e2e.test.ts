import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { orderTrace, tag, type JaegerTrace } from './support/jaeger.js';
import { logsQuery } from './support/logs.js';
import { componentFetch } from './support/secure.js';
import { eventually, JAEGER_URL, root } from './support/stack.js';

/**
 * From a trace to its logs in Jaeger's UI (docs/logging.md, Links), on the real native stack: Jaeger
 * hands its UI the link patterns of jaeger/ui-config.json, and each one, filled in as the UI fills
 * it for a real order's trace, opens vmui on a LogsQL query that finds that trace's or that order's
 * records in VictoriaLogs. (Grafana's links from and to the logs need Grafana: not here.)
 */
const run = promisify(execFile);
interface LinkPattern {
  type: string | string[];
  key?: string;
  url: string;
  text: string;
}
const uiConfig = JSON.parse(readFileSync(resolve(root, 'jaeger/ui-config.json'), 'utf8')) as { linkPatterns: LinkPattern[] };

/** The configuration Jaeger injected into the page it serves its UI (`JAEGER_CONFIG = {...};`). */
async function servedUiConfig(): Promise<unknown> {
  const res = await componentFetch(`${JAEGER_URL}/search`);
  const html = await res.text();
  assert.equal(res.status, 200, html);
  const m = /^\s*JAEGER_CONFIG = (.+);\s*$/m.exec(html);
  assert.ok(m, 'the page carries JAEGER_CONFIG');
  assert.notEqual(m[1], 'DEFAULT_CONFIG', 'Jaeger was started with a UI config file (jaeger_query.ui.config_file)');
  return JSON.parse(m[1]!);
}

/** A pattern's URL as the UI fills it: each #{name} replaced by its value, URL-encoded. */
const fill = (url: string, values: Record<string, string>) =>
  url.replace(/#\{([^}|]+)\}/g, (_, name: string) => {
    assert.ok(name.trim() in values, `a value for #{${name}}`);
    return encodeURIComponent(values[name.trim()]!);
  });

/** vmui's state from a link: its hash route holds the query string (`#/?query=...&g0....`). */
function vmuiParams(link: string): URLSearchParams {
  const url = new URL(link);
  assert.equal(url.origin, 'https://localhost:9428', `${link}: the log store's login, people's door`);
  assert.equal(url.pathname, '/select/vmui/');
  assert.ok(url.hash.startsWith('#/?'), link);
  return new URLSearchParams(url.hash.slice('#/?'.length));
}

const patternsOf = (type: string) => uiConfig.linkPatterns.filter((p) => [p.type].flat().includes(type));

describe("Jaeger UI's configuration", () => {
  it('Jaeger serves its UI the link patterns of jaeger/ui-config.json', async () => {
    assert.deepEqual(await servedUiConfig(), uiConfig);
  });
});

describe("Jaeger UI's links to the logs, for a real order's trace", () => {
  let orderId = '';
  let trace: JaegerTrace;
  before(async () => {
    const { stdout } = await run('npm', ['run', '-s', 'simulate', '--', '--orders', '1', '--quiet', '--scenario', 'healthy'], {
      cwd: root,
      maxBuffer: 64 << 20,
      timeout: 240_000,
    });
    orderId = (JSON.parse(stdout.trim().split('\n').at(-1)!) as { orders: Array<{ order_id: string }> }).orders[0]!.order_id;
    trace = await orderTrace(orderId, () => true, ['crm'], 60_000);
  });

  it('"Logs of this trace" opens a query that finds the records of that trace', { timeout: 90_000 }, async (t: TestContext) => {
    const [pattern] = patternsOf('traces');
    assert.ok(pattern, 'a link pattern of type traces');
    const params = vmuiParams(fill(pattern.url, { traceID: trace.traceID }));
    assert.equal(params.get('g0.relative_time'), 'last_7_days', "vmui's range: the traces' retention");
    const query = params.get('query')!;
    const records = await eventually(`records for ${query}`, 60_000, async () => {
      const r = await logsQuery(query);
      return r.length ? r : undefined;
    }, 1000);
    t.diagnostic(`${records.length} records for ${query}`);
    for (const r of records) assert.equal(r.trace_id, trace.traceID, JSON.stringify(r));
  });

  it('"Logs of this order", on a span\'s order_id, opens a query that finds the records of that order', { timeout: 90_000 }, async (t: TestContext) => {
    const pattern = [...patternsOf('attributes'), ...patternsOf('tags')].find((p) => p.key === 'order_id');
    assert.ok(pattern, 'a link pattern on the span attribute order_id');
    // The UI shows it on the spans that carry the attribute: the order's trace has them.
    assert.ok(trace.spans.some((s) => tag(s, 'order_id') === orderId), 'spans of the trace carry order_id');
    const query = vmuiParams(fill(pattern.url, { order_id: orderId })).get('query')!;
    const records = await eventually(`records for ${query}`, 60_000, async () => {
      const r = await logsQuery(query);
      return new Set(r.map((x) => x['service.name'])).size > 1 ? r : undefined;
    }, 1000);
    t.diagnostic(`${records.length} records for ${query}`);
    for (const r of records) assert.equal(r.order_id, orderId, JSON.stringify(r));
  });
});
