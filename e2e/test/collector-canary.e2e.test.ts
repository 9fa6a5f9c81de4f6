import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import { componentFiles } from '@orderscope/ops';
import { Agent, fetch } from 'undici';
import { parse } from 'yaml';
import { assertFree, stackCollectorEnv, startCollector, subdir, type Collector, type StackCollectorPorts, type Workspace, workspace } from './bench/b2-collectors.js';
import { root } from './support/stack.js';

/**
 * collector/config.yaml on collectors of its own (loopback ports 24341-24379, a CA, secrets and
 * storage of its own; the running stack is neither needed nor touched), fed canary spans and a
 * canary log record: e-mail addresses, card and phone numbers, secret-named keys, an enormous value,
 * too many attributes, PII in metric labels. Checks that nothing unmasked is exported (spans, logs)
 * or shown (span metrics, service graph), and that the bounds, the skeleton, the held detail and
 * the metrics series are there.
 *
 * With COLLECTOR_REFERENCE=<git revision, or a config file> the same canaries also go through that revision's
 * collector/config.yaml, side by side, and both must export the same spans and log records and show
 * the same span-metrics, service-graph and kept-span series: a reshaped pipeline is checked against
 * the one it replaces: after `npm run build`,
 * `COLLECTOR_REFERENCE=main bash scripts/with-node24.sh node --test e2e/dist/test/collector-canary.e2e.test.js`.
 */

const REFERENCE = process.env.COLLECTOR_REFERENCE;
const SALT = 'canary-salt';
const HOLD_WAIT_S = 6;
const DECISION_WAIT_S = 2;

interface Ports extends StackCollectorPorts { sink: number }
const PORTS: Record<'current' | 'reference', Ports> = {
  current: { grpc: 24341, http: 24342, internal: 24343, browser: 24344, health: 24345, metrics: 24346, spanMetrics: 24347, sink: 24348 },
  reference: { grpc: 24361, http: 24362, internal: 24363, browser: 24364, health: 24365, metrics: 24366, spanMetrics: 24367, sink: 24368 },
};
/** The bridge: OTLP gRPC (Jaeger's stand-in) and HTTP (the log store's) in, OTLP/HTTP JSON out to this process. */
const BRIDGE = { health: 24371, metrics: 24372 };
const RECORDER_PORT = 24379;

const CANARY = {
  email: 'canary.person@example.com',
  phone: '+49 170 1234567',
  card: '4111 1111 1111 1111',
  cardPlain: '4111111111111111',
  secret: 'hunter2-canary',
  resourceSecret: 'resource-secret-canary',
  apiKey: 'apikey-canary-value',
};
const ORDER_ID = '00000000-0000-4000-8000-0000000000c1';

type Json = Record<string, unknown>;
/** What the recorder received, per collector under test. */
const received: Record<string, { traces: Json[]; logs: Json[] }> = {};

function recorder(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/(\w+)\/v1\/(traces|logs)$/.exec(req.url ?? '');
      if (m) {
        const slot = (received[m[1]!] ??= { traces: [], logs: [] });
        slot[m[2] as 'traces' | 'logs'].push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json);
      }
      res.writeHead(m ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((ok) => server.listen(RECORDER_PORT, '127.0.0.1', () => ok(server)));
}

function bridgeConfig(ws: Workspace, names: string[]): object {
  const f = componentFiles(ws.certs, 'otel-collector');
  const tls = { cert_file: f.serverCert, key_file: f.serverKey, client_ca_file: f.ca, min_version: '1.2' };
  const receivers: Json = {};
  const exporters: Json = {};
  const pipelines: Json = {};
  for (const n of names) {
    const p = PORTS[n as keyof typeof PORTS];
    receivers[`otlp/${n}`] = {
      protocols: {
        grpc: { endpoint: `127.0.0.1:${p.sink}`, max_recv_msg_size_mib: 16, tls },
        http: { endpoint: `127.0.0.1:${p.sink + 1}`, logs_url_path: '/insert/opentelemetry/v1/logs', tls },
      },
    };
    exporters[`otlp_http/${n}`] = { endpoint: `http://127.0.0.1:${RECORDER_PORT}/${n}`, encoding: 'json', compression: 'none', sending_queue: { enabled: false } };
    pipelines[`traces/${n}`] = { receivers: [`otlp/${n}`], exporters: [`otlp_http/${n}`] };
    pipelines[`logs/${n}`] = { receivers: [`otlp/${n}`], exporters: [`otlp_http/${n}`] };
  }
  return {
    extensions: { health_check: { endpoint: `127.0.0.1:${BRIDGE.health}` } },
    receivers,
    exporters,
    service: {
      extensions: ['health_check'],
      pipelines,
      telemetry: { logs: { level: 'warn' }, metrics: { level: 'none' } },
    },
  };
}

function envFor(ws: Workspace, p: Ports, storage: string): Record<string, string> {
  return {
    ...stackCollectorEnv(ws, p, { grpc: p.sink, http: p.sink + 1 }, storage),
    OTELCOL_DECISION_WAIT: `${DECISION_WAIT_S}s`,
    OTELCOL_HOLD_WAIT: `${HOLD_WAIT_S}s`,
    OTELCOL_BASELINE_PERCENT: '10',
    OTELCOL_PII_SALT: SALT,
  };
}

// --- the canaries ---------------------------------------------------------------------------------

const hex = (seed: string, bytes: number) => createHash('sha256').update(seed).digest('hex').slice(0, bytes * 2);
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const bool = (key: string, value: boolean) => ({ key, value: { boolValue: value } });
const T0 = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;

interface SpanIn { trace: string; id: string; parent?: string; name: string; kind: number; ms: number; error?: boolean; attributes: object[]; events?: object[] }
function span(s: SpanIn): Json {
  const start = T0;
  return {
    traceId: hex(s.trace, 16),
    spanId: hex(`${s.trace}/${s.id}`, 8),
    ...(s.parent ? { parentSpanId: hex(`${s.trace}/${s.parent}`, 8) } : {}),
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + BigInt(s.ms) * 1_000_000n),
    ...(s.error ? { status: { code: 2, message: 'canary failure' } } : {}),
    attributes: s.attributes,
    ...(s.events ? { events: s.events } : {}),
  };
}
const resourceSpans = (service: string, spans: Json[], extra: object[] = []) => ({
  resource: { attributes: [str('service.name', service), str('service.namespace', 'orderscope'), ...extra] },
  scopeSpans: [{ scope: { name: 'canary' }, spans }],
});

const HUGE = 'x'.repeat(100_000);
const piiAttributes = () => [
  str('order_id', ORDER_ID),
  str('customer.email', CANARY.email),
  str('note', `call me on ${CANARY.phone}`),
  str('payment.card', CANARY.card),
  str('customer.password', CANARY.secret),
  str('x-api-key', CANARY.apiKey),
  str('enduser.id', 'customer-42'),
];

/** Every trace is sent once, whole: what each is for is its name. */
function canaryTraces(): Json {
  const failed = 'trace-failed';
  const many = Array.from({ length: 200 }, (_, i) => str(`extra.${String(i).padStart(3, '0')}`, `v${i}`));
  const failedSpans = [
    span({
      trace: failed, id: 'root', name: 'POST /orders', kind: 2, ms: 40, error: true,
      attributes: [...piiAttributes(), str('order.status', `INITIATED ${CANARY.phone}`), str('huge', HUGE)],
      events: [{ timeUnixNano: String(T0 + 1_000_000n), name: 'exception', attributes: [str('exception.message', `declined ${CANARY.cardPlain} for ${CANARY.email}, phone ${CANARY.phone}`), str('session.token', CANARY.secret)] }],
    }),
    // Calls: another service (an edge to "crm"), a peer named with PII (a virtual node, a span-metrics
    // label), the database (db.name).
    span({ trace: failed, id: 'call-crm', parent: 'root', name: 'POST /registry', kind: 3, ms: 20, attributes: [str('order_id', ORDER_ID), str('peer.service', 'crm')] }),
    span({ trace: failed, id: 'call-peer', parent: 'root', name: 'GET /carrier', kind: 3, ms: 5, attributes: [str('order_id', ORDER_ID), str('peer.service', `carrier ${CANARY.email}`), str('server.address', 'carrier.example')] }),
    span({ trace: failed, id: 'db', parent: 'root', name: 'SELECT orders', kind: 3, ms: 3, attributes: [str('order_id', ORDER_ID), str('db.system.name', 'postgresql'), str('db.name', 'orderscope'), str('server.address', '127.0.0.1')] }),
    span({ trace: failed, id: 'many', parent: 'root', name: 'many attributes', kind: 1, ms: 1, attributes: [...many, str('order_id', ORDER_ID)] }),
  ];
  const crmSpans = [span({ trace: failed, id: 'crm-server', parent: 'call-crm', name: 'POST /registry', kind: 2, ms: 15, attributes: [str('order_id', ORDER_ID), str('order.status', 'SUBMITTED'), str('contact', CANARY.email)] })];
  // The order's skeleton: its own pipeline.
  const skeleton = [0, 1, 2].map((i) =>
    span({ trace: 'trace-skeleton', id: `t${i}`, ...(i ? { parent: 't0' } : {}), name: `order ${i}`, kind: 1, ms: 1, attributes: [str('order_id', ORDER_ID), bool('order.skeleton', true), str('order.status', 'SHIPPED'), str('customer.email', CANARY.email)] }),
  );
  // Healthy traces: the baseline (10 %, by trace id) keeps some, the same ones every time.
  const healthy = Array.from({ length: 30 }, (_, i) =>
    span({ trace: `trace-healthy-${i}`, id: 'root', name: 'GET /orders/:id', kind: 2, ms: 10, attributes: [str('order_id', ORDER_ID), str('order.status', 'PACKAGING'), str('note', `card ${CANARY.card}`)] }),
  );
  // A timeout: kept early (timeouts) and by the hold (held-timeouts).
  const timeout = [span({ trace: 'trace-timeout', id: 'root', name: 'POST /hand-off', kind: 3, ms: 30, attributes: [str('order_id', ORDER_ID), bool('timeout', true), str('peer.service', 'mes'), str('auth.token', CANARY.secret)] })];
  return {
    resourceSpans: [
      resourceSpans('canary-shop', [...failedSpans, ...skeleton, ...healthy, ...timeout], [str('deploy.secret', CANARY.resourceSecret)]),
      resourceSpans('canary-crm', crmSpans),
    ],
  };
}

function canaryLogs(): Json {
  return {
    resourceLogs: [{
      resource: { attributes: [str('service.name', 'canary-shop')] },
      scopeLogs: [{
        scope: { name: 'canary' },
        logRecords: [{
          timeUnixNano: String(T0), severityNumber: 13, severityText: 'WARN',
          body: { stringValue: `order for ${CANARY.email}, card ${CANARY.card}` },
          attributes: [str('order_id', ORDER_ID), str('user.phone', CANARY.phone), str('api_key', CANARY.apiKey)],
        }],
      }],
    }],
  };
}

// --- the collectors ------------------------------------------------------------------------------

interface UnderTest { name: 'current' | 'reference'; col: Collector; post(path: string, body: Json): Promise<number>; spanMetrics(): Promise<string> }

function clients(ws: Workspace, p: Ports) {
  const shop = componentFiles(ws.certs, 'shop');
  const prom = componentFiles(ws.certs, 'prometheus');
  const asShop = new Agent({ connect: { ca: readFileSync(shop.ca), cert: readFileSync(shop.clientCert), key: readFileSync(shop.clientKey) } });
  const asProm = new Agent({ connect: { ca: readFileSync(prom.ca), cert: readFileSync(prom.clientCert), key: readFileSync(prom.clientKey) } });
  const key = readFileSync(join(ws.secrets, 'otlp_token_shop'), 'utf8').trim();
  const scrapeKey = readFileSync(join(ws.secrets, 'prometheus_scrape_token'), 'utf8').trim();
  return {
    post: async (path: string, body: Json) => {
      const res = await fetch(`https://127.0.0.1:${p.http}${path}`, {
        method: 'POST', dispatcher: asShop, body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      });
      await res.text();
      return res.status;
    },
    spanMetrics: async () => {
      const res = await fetch(`https://127.0.0.1:${p.spanMetrics}/metrics`, { dispatcher: asProm, headers: { authorization: `Bearer ${scrapeKey}` } });
      return res.text();
    },
  };
}

/** Exported spans as a sorted list of canonical JSON lines: each with its resource and scope, attributes sorted. */
function spansOf(requests: Json[]): string[] {
  const sortAttrs = (a: unknown) => [...((a as Array<{ key: string }>) ?? [])].sort((x, y) => x.key.localeCompare(y.key));
  const out: string[] = [];
  for (const req of requests) {
    for (const rs of (req.resourceSpans as Json[]) ?? []) {
      const resource = sortAttrs((rs.resource as Json | undefined)?.attributes);
      for (const ss of (rs.scopeSpans as Json[]) ?? []) {
        for (const s of (ss.spans as Json[]) ?? []) {
          const events = ((s.events as Json[]) ?? []).map((e) => ({ ...e, attributes: sortAttrs(e.attributes) }));
          out.push(JSON.stringify({ resource, scope: ss.scope, ...s, attributes: sortAttrs(s.attributes), events }));
        }
      }
    }
  }
  return out.sort();
}
function logsOf(requests: Json[]): string[] {
  const out: string[] = [];
  for (const req of requests) {
    for (const rl of (req.resourceLogs as Json[]) ?? []) {
      const resource = (rl.resource as Json | undefined)?.attributes as Array<{ key: string; value: { stringValue?: string } }> | undefined;
      // Only the canary's: the collector's own logs (service.name otelcol) come and go with timing.
      if (!resource?.some((a) => a.key === 'service.name' && a.value.stringValue === 'canary-shop')) continue;
      for (const sl of (rl.scopeLogs as Json[]) ?? []) for (const r of (sl.logRecords as Json[]) ?? []) out.push(JSON.stringify({ resource, record: { ...r, observedTimeUnixNano: undefined } }));
    }
  }
  return out.sort();
}
/** The span-metrics port's series (name and labels, with value), sorted; comments dropped. */
const seriesOf = (text: string) =>
  text.split('\n').filter((l) => /^(traces_|target_info)/.test(l)).map((l) => l.replace(/,?collector_instance_id="[^"]*"/, '')).sort();

describe('redaction/secrets: the keys it skips cannot name a secret', () => {
  it('no ignored key matches its blocked key patterns, and it does nothing else to a key that ignoring would skip', () => {
    const cfg = parse(readFileSync(resolve(root, 'collector/config.yaml'), 'utf8'), { merge: true }) as { processors: Record<string, Record<string, unknown>> };
    const r = cfg.processors['redaction/secrets']!;
    // Ignored keys skip everything the processor does; with only blocked_key_patterns, that is the pattern.
    for (const other of ['blocked_values', 'allowed_values', 'url_sanitizer', 'db_sanitizer', 'redact_all_types', 'hash_function']) {
      assert.equal(r[other], undefined, `redaction/secrets sets ${other}: ignored_keys would skip it`);
    }
    assert.equal(r.allow_all_keys, true);
    const patterns = (r.blocked_key_patterns as string[]).map((p) => {
      assert.ok(p.startsWith('(?i)'), `${p}: case-insensitive, as Go reads it`);
      return new RegExp(p.slice(4), 'i');
    });
    for (const k of ['customer.password', 'x-api-key', 'api_key', 'Authorization', 'session.token', 'deploy.secret', 'Cookie', 'passwd']) {
      assert.ok(patterns.some((re) => re.test(k)), `${k} is masked`);
    }
    for (const k of (r.ignored_keys as string[] | undefined) ?? []) assert.ok(!patterns.some((re) => re.test(k)), `ignored key ${k} names a secret`);
  });
});

describe('the collector config masks everything it exports (canaries on collectors of its own)', () => {
  let dir: string;
  let server: Server;
  let bridge: Collector | undefined;
  const cols: UnderTest[] = [];

  before(async () => {
    const names: Array<'current' | 'reference'> = REFERENCE ? ['current', 'reference'] : ['current'];
    await assertFree([RECORDER_PORT, ...Object.values(BRIDGE), ...names.flatMap((n) => [...Object.values(PORTS[n]), PORTS[n].sink + 1])]);
    dir = mkdtempSync(join(tmpdir(), 'orderscope-canary-'));
    const ws = await workspace(dir);
    server = await recorder();
    bridge = await startCollector(ws, 'bridge', { config: bridgeConfig(ws, names), health: BRIDGE.health, metrics: async () => '' });
    for (const name of names) {
      let config = resolve(root, 'collector/config.yaml');
      if (name === 'reference') {
        config = join(dir, 'reference.yaml');
        // A file, or a git revision's collector/config.yaml.
        writeFileSync(config, existsSync(REFERENCE!) ? readFileSync(REFERENCE!) : execFileSync('git', ['show', `${REFERENCE}:collector/config.yaml`], { cwd: root }));
      }
      const p = PORTS[name];
      const col = await startCollector(ws, name, {
        config, env: envFor(ws, p, subdir(ws, `queue-${name}`)), health: p.health, metrics: async () => '',
        args: ['--feature-gates=processor.tailsamplingprocessor.recordpolicy'],
      });
      cols.push({ name, col, ...clients(ws, p) });
    }
    for (const c of cols) {
      assert.equal(await c.post('/v1/traces', canaryTraces()), 200, `${c.name}: spans accepted`);
      assert.equal(await c.post('/v1/logs', canaryLogs()), 200, `${c.name}: logs accepted`);
    }
    // Decided (decision_wait), held (the hold wait), batched, and the metrics flushed (15 s) after the
    // service graph's edges expired (store ttl 10 s): wait until every expected series is there.
    await sleep((HOLD_WAIT_S + 3) * 1000);
    for (const c of cols) {
      for (const until = Date.now() + 60_000; ; await sleep(1000)) {
        const text = await c.spanMetrics().catch(() => '');
        const edge = (server: string) => new RegExp(`^traces_service_graph_request_total\\{[^}]*server="${server}"`, 'm').test(text);
        // An edge between two services, one to a peer without a server span (a virtual node), one to the database.
        if (edge('canary-crm') && edge('carrier [^"]*') && edge('orderscope') && /^traces_kept_calls_total/m.test(text)) break;
        if (Date.now() > until) throw new Error(`${c.name}: span metrics and service graph incomplete after 60 s:\n${seriesOf(text).join('\n')}`);
      }
    }
    await sleep(16_000); // one more flush: every series at its final value
  });

  after(async () => {
    for (const c of cols) await c.col.stop();
    await bridge?.stop();
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const current = () => cols.find((c) => c.name === 'current')!;
  const exported = (name: string) => ({ spans: spansOf(received[name]?.traces ?? []), logs: logsOf(received[name]?.logs ?? []) });

  it('exports no canary value: spans, their events, log records, span metrics and service graph', async () => {
    const { spans, logs } = exported('current');
    const metrics = await current().spanMetrics();
    assert.ok(spans.length > 0 && logs.length > 0, 'spans and logs exported');
    for (const [what, text] of [['spans', spans.join('\n')], ['logs', logs.join('\n')], ['span metrics', metrics]] as const) {
      for (const [k, v] of Object.entries(CANARY)) assert.ok(!text.includes(v), `${what}: ${k} (${v}) is masked`);
    }
    const all = spans.join('\n');
    for (const mark of ['[email]', '[card]', '[phone]', '****']) assert.ok(all.includes(mark), `spans show ${mark}`);
    assert.ok(all.includes(ORDER_ID), 'the order id is not mistaken for a card number');
    assert.match(metrics, /peer_service="carrier \[email\]"/, 'a span-metrics label is masked, not dropped');
    assert.ok(all.includes('{"key":"deploy.secret","value":{"stringValue":"****"}}'), "a resource's secret-named key is masked");
  });

  it('bounds attributes (8 KiB a value, 128 a span keeping order_id) and hashes a clear enduser.id with the salt', () => {
    const spans = exported('current').spans.map((l) => JSON.parse(l) as { name: string; attributes: Array<{ key: string; value: { stringValue?: string } }> });
    const root = spans.find((s) => s.name === 'POST /orders' && s.attributes.some((a) => a.key === 'huge'))!;
    assert.ok(root, 'the failed root is exported');
    assert.equal(root.attributes.find((a) => a.key === 'huge')!.value.stringValue!.length, 8192);
    const hashed = createHash('sha256').update(`${SALT}customer-42`).digest('hex');
    assert.equal(root.attributes.find((a) => a.key === 'enduser.id')!.value.stringValue, hashed);
    const many = spans.find((s) => s.name === 'many attributes')!;
    assert.equal(many.attributes.length, 128 + 1, '128 attributes, and sampling.policy set after the bound');
    assert.ok(many.attributes.some((a) => a.key === 'order_id'));
  });

  it('keeps what the pipelines must: the failed trace, the skeleton, the timeout early and held, a baseline share', () => {
    const policies = exported('current').spans.map((l) => JSON.parse(l) as { name: string; attributes: Array<{ key: string; value: { stringValue?: string } }> })
      .map((s) => `${s.name}:${s.attributes.find((a) => a.key === 'sampling.policy')?.value.stringValue}`);
    for (const want of ['POST /orders:errors', 'POST /orders:held-errors', 'order 0:skeleton', 'POST /hand-off:timeouts', 'POST /hand-off:held-timeouts']) {
      assert.ok(policies.includes(want), `${want} exported (got ${[...new Set(policies)].join(', ')})`);
    }
  });

  it('exports the same spans and log records, and shows the same series, as the reference config', { skip: !REFERENCE && 'COLLECTOR_REFERENCE not set' }, async (t: TestContext) => {
    const a = exported('current');
    const b = exported('reference');
    t.diagnostic(`spans exported: ${a.spans.length} / reference ${b.spans.length}; log records: ${a.logs.length} / ${b.logs.length}`);
    assert.deepEqual(a.spans, b.spans);
    assert.deepEqual(a.logs, b.logs);
    const ref = cols.find((c) => c.name === 'reference')!;
    const [ma, mb] = [seriesOf(await current().spanMetrics()), seriesOf(await ref.spanMetrics())];
    t.diagnostic(`series: ${ma.length} / reference ${mb.length}`);
    assert.deepEqual(ma, mb);
  });
});
