import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { ownerOf, pathOf, SERVICE_NAMES, type Channel } from '@orderscope/orders';
import { orderTrace } from './support/jaeger.js';
import { accessTokenOf, humanFetch, JAEGER_LOGIN_URL } from './support/login.js';
import { logsQuery, storedPerService, writtenPerService } from './support/logs.js';
import { attempt, caPem, handshakeRefused, identityOf, otlpAuth, refused, rogueIdentity, scrape, secureFetch, sumSeries } from './support/secure.js';
import { E2E_DECISION_WAIT, eventually, localUp, LOGS_URL, resetFaults, restartCollector, root, secret, stopNative } from './support/stack.js';

/**
 * The logging system on the real stack (native): the services' records reach VictoriaLogs through
 * the collector and the log gateway, found by order_id and trace_id, masked, and none lost to a
 * store outage (docs/logging.md).
 */
const run = promisify(execFile);
type SimOrder = { order_id: string; channel: Channel; status: string };

async function simulate(orders: number): Promise<SimOrder[]> {
  const { stdout } = await run('npm', ['run', '-s', 'simulate', '--', '--orders', String(orders), '--quiet', '--scenario', 'healthy'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 240_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!).orders as SimOrder[];
}

/** The services an order passes through: the owners of its channel's statuses. */
const servicesOf = (channel: Channel) => [...new Set(pathOf(channel).map((s) => ownerOf(channel, s)).filter((s) => s !== undefined))];

/** Polls until the store holds, per service, exactly what the services wrote for `value`. */
async function storedAsWritten(t: TestContext, field: 'order_id' | 'trace_id', value: string, deadlineMs = 60_000): Promise<Record<string, number>> {
  let last: unknown;
  try {
    return await eventually(`the store to hold every record with ${field} ${value}`, deadlineMs, async () => {
      const written = writtenPerService(SERVICE_NAMES, field, value);
      const stored = await storedPerService(`${field}:=${JSON.stringify(value)}`);
      last = { written, stored };
      return JSON.stringify(stored, Object.keys(stored).sort()) === JSON.stringify(written, Object.keys(written).sort()) ? stored : undefined;
    });
  } finally {
    t.diagnostic(`${field} ${value}: ${JSON.stringify(last)}`);
  }
}

describe('logs: every record of an order, in the store, by order_id and trace_id', () => {
  let orders: SimOrder[];
  before(async () => {
    await resetFaults();
    orders = await simulate(4);
    assert.ok(orders.every((o) => o.status === 'CLOSED'), 'the simulated orders closed');
  });

  it("finds an order's records from each service it passed through, as many as each wrote", { timeout: 180_000 }, async (t) => {
    for (const o of orders.slice(0, 2)) {
      const stored = await storedAsWritten(t, 'order_id', o.order_id);
      for (const service of servicesOf(o.channel)) assert.ok((stored[service] ?? 0) > 0, `${o.order_id}: records from ${service} (${JSON.stringify(stored)})`);
    }
  });

  it("finds them by the trace_id of the order's trace in Jaeger, every record of the order carrying it", { timeout: 180_000 }, async (t) => {
    const o = orders[2]!;
    const trace = await orderTrace(o.order_id, () => true, servicesOf(o.channel), 60_000);
    const byTrace = await storedAsWritten(t, 'trace_id', trace.traceID);
    assert.ok(Object.keys(byTrace).length >= 2, `records of more than one service: ${JSON.stringify(byTrace)}`);
    const ofOrder = await logsQuery(`order_id:=${JSON.stringify(o.order_id)}`);
    assert.ok(ofOrder.length > 0);
    assert.deepEqual([...new Set(ofOrder.map((r) => r.trace_id))], [trace.traceID], "every record of the order is in the order's trace");
  });
});

const str = (v: string) => ({ stringValue: v });
/** Log records sent as a service's SDK sends them: OTLP/HTTP to the collector, with the shop's certificate and key. */
async function sendRecords(records: Array<Record<string, unknown>>): Promise<void> {
  const body = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: str('shop') }] }, scopeLogs: [{ logRecords: records }] }] };
  const res = await secureFetch('https://127.0.0.1:4318/v1/logs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...otlpAuth('shop') },
    body: JSON.stringify(body),
  }, 'shop');
  assert.equal(res.status, 200, await res.text());
}
const now = () => String(BigInt(Date.now()) * 1_000_000n);

describe('logs: personal data is masked on the way', () => {
  it('a canary e-mail, phone and card in the message and the attributes never reach the store', { timeout: 90_000 }, async (t) => {
    const mark = randomBytes(4).toString('hex');
    const orderId = randomUUID();
    const email = `canary.${mark}@example.com`;
    const phone = '+44 20 7946 0958';
    const card = '4111 1111 1111 1111';
    await sendRecords([{
      timeUnixNano: now(),
      severityNumber: 17,
      severityText: 'error',
      body: str(`customer ${email} called from ${phone}, paid with ${card}`),
      attributes: [
        { key: 'order_id', value: str(orderId) },
        { key: 'customer.contact', value: str(email) },
        { key: 'payment', value: { kvlistValue: { values: [{ key: 'card', value: str(card) }, { key: 'phone', value: str(phone) }] } } },
        { key: 'api_key', value: str(`key-${mark}`) },
      ],
    }]);

    const [record] = await eventually('the canary record in the store', 60_000, async () => {
      const found = await logsQuery(`order_id:=${JSON.stringify(orderId)}`);
      return found.length > 0 ? found : undefined;
    });
    const text = JSON.stringify(record);
    t.diagnostic(text);
    assert.equal(record!.order_id, orderId, 'the positive control: the order id next to them is kept');
    for (const canary of [email, mark, '7946', '0958', '4111', phone, card]) assert.ok(!text.includes(canary), `${canary} must not reach the store`);
    assert.match(record!._msg!, /^customer \[email\] called from \[phone\], paid with \[card\]$/);
    assert.equal(record!['customer.contact'], '[email]');
    assert.equal(record!['payment.card'], '[card]');
    assert.equal(record!['payment.phone'], '[phone]');
    assert.equal(record!.api_key, '****', 'values under secret-looking keys are masked whole');
  });
});

describe('logs: a store outage loses nothing', () => {
  after(() => localUp());

  it('stops VictoriaLogs for 30 s during a run: afterwards every record of that run is there', { timeout: 420_000 }, async (t) => {
    const queued = async () =>
      sumSeries(await scrape('https://127.0.0.1:8888/metrics'), 'otelcol_exporter_queue_size', /exporter="otlp_http\/logs_/);
    await stopNative('victorialogs');
    const stoppedAt = Date.now();
    const running = simulate(4);
    // The run's records wait in the collector's queues on disk...
    const waiting = await eventually('records queued in the collector while the store is down', 30_000, async () => ((await queued()) > 0 ? queued() : undefined));
    // ...the store down for 30 s whatever the simulation does meanwhile, then started again.
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - stoppedAt))));
    const down = await attempt(`${LOGS_URL}/health`, {}, identityOf('grafana'));
    await localUp();
    t.diagnostic(`store down ${Math.round((Date.now() - stoppedAt) / 1000)} s; the gateway said ${down} meanwhile; ${waiting} queued`);
    assert.equal(down, 'status 502', 'the store was really unreachable');
    const orders = await running;
    assert.ok(orders.every((o) => o.status === 'CLOSED'), 'the run went on without the store');
    for (const o of orders) await storedAsWritten(t, 'order_id', o.order_id, 120_000);
    await eventually('the queues to drain', 30_000, async () => ((await queued()) === 0 ? true : undefined));
  });
});

describe('logs: severity decides what waits longest', () => {
  after(() => restartCollector({ OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT }));

  it('with the routine queue full during an outage, every warning and error still reaches the store', { timeout: 300_000 }, async (t) => {
    const ROUTINE_QUEUE = 100;
    await restartCollector({ OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT, OTELCOL_LOG_QUEUE_ROUTINE: String(ROUTINE_QUEUE) });
    const run = randomUUID();
    const record = (i: number, severityNumber: number, severityText: string) => ({
      timeUnixNano: now(),
      severityNumber,
      severityText,
      body: str(`flood record ${i}`),
      attributes: [{ key: 'flood.run', value: str(run) }, { key: 'flood.severity', value: str(severityText) }],
    });
    await stopNative('victorialogs');
    try {
      // A flood of routine records, with a few warnings and errors among them.
      for (let b = 0; b < 10; b++) {
        await sendRecords([
          ...Array.from({ length: 100 }, (_, i) => record(b * 100 + i, 9, 'info')),
          record(b, 13, 'warn'),
          record(b, 17, 'error'),
        ]);
      }
    } finally {
      await localUp();
    }
    const bySeverity = async () => {
      const out: Record<string, number> = {};
      for (const r of await logsQuery(`flood.run:=${JSON.stringify(run)} | stats by (flood.severity) count() n`)) out[r['flood.severity']!] = Number(r.n);
      return out;
    };
    const stored = await eventually('the warnings and errors in the store', 60_000, async () => {
      const s = await bySeverity();
      return s.warn === 10 && s.error === 10 ? s : undefined;
    });
    t.diagnostic(JSON.stringify(stored));
    assert.ok((stored.info ?? 0) < 1000, `routine records beyond the queue were shed: ${JSON.stringify(stored)}`);
  });
});

describe('logs: the hop to the store is mutually authenticated', () => {
  it('the log gateway refuses plain text, no client certificate and another CA; VictoriaLogs wants its password', async (t) => {
    const url = `${LOGS_URL}/select/logsql/query?query=*&limit=1`;
    const store = `https://localhost:${process.env.VICTORIALOGS_PORT ?? 9430}/select/logsql/query?query=*&limit=1`;
    const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`orderscope:${password}`).toString('base64')}` });
    const outcomes = {
      plaintext: await attempt(url.replace('https://', 'http://'), {}),
      noClientCertificate: await attempt(url, {}, { ca: caPem() }),
      otherCa: await attempt(url, {}, await rogueIdentity('otel-collector')),
      right: await attempt(url, {}, identityOf('otel-collector')),
      storeWithoutPassword: await attempt(store, {}, { ca: caPem() }),
      storeWrongPassword: await attempt(store, { headers: basic('not-the-password') }, { ca: caPem() }),
      storeRight: await attempt(store, { headers: basic(secret('victorialogs_password')) }, { ca: caPem() }),
    };
    const context = JSON.stringify(outcomes);
    t.diagnostic(context);
    assert.ok(refused(outcomes.plaintext), `plain text must be refused: ${context}`);
    assert.ok(handshakeRefused(outcomes.noClientCertificate), `TLS without a client certificate must fail: ${context}`);
    assert.ok(handshakeRefused(outcomes.otherCa), `a certificate from another CA must fail: ${context}`);
    assert.equal(outcomes.right, 'status 200', context);
    assert.equal(outcomes.storeWithoutPassword, 'status 401', context);
    assert.equal(outcomes.storeWrongPassword, 'status 401', context);
    assert.equal(outcomes.storeRight, 'status 200', `the control: the password opens it: ${context}`);
  });
});

describe('logs: retention', () => {
  it('the running VictoriaLogs keeps 14 days or 2 GiB (docs/retention.md)', async () => {
    const flags = await scrape(`${LOGS_URL}/metrics`);
    const flag = (name: string) => new RegExp(`^flag\\{name="${name.replace('.', '\\.')}", value="([^"]*)", is_set="true"\\}`, 'm').exec(flags)?.[1];
    assert.equal(flag('retentionPeriod'), process.env.VICTORIALOGS_RETENTION ?? '14d');
    assert.equal(flag('retention.maxDiskSpaceUsageBytes'), '2GiB');
  });
});

describe("logs: the stack's own records, each labelled by its component", () => {
  it("an engineer's search in Jaeger through the login is a record in the store, naming them and the order", { timeout: 90_000 }, async () => {
    const orderId = randomUUID();
    const res = await humanFetch(`${JAEGER_LOGIN_URL}/api/traces?service=crm&tags=${encodeURIComponent(JSON.stringify({ order_id: orderId }))}`, {
      headers: { authorization: `Bearer ${await accessTokenOf('engineer')}` },
    });
    assert.equal(res.status, 200, await res.text());
    const [record] = await eventually('the access record in the store', 60_000, async () => {
      const found = await logsQuery(`service.name:=access-gateway orderscope.component:=jaeger order_id:=${JSON.stringify(orderId)}`);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(record!['user.username'], 'engineer');
    assert.equal(record!.method, 'GET');
    assert.equal(record!.status, '200');
  });

  it("the collector's and Jaeger's own logs are there, under their names", async () => {
    const stored = await storedPerService('service.name:in(otelcol, jaeger) _time:1d');
    assert.ok((stored.otelcol ?? 0) > 0 && (stored.jaeger ?? 0) > 0, JSON.stringify(stored));
  });
});
