import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import { SERVICE_NAMES } from '@orderscope/orders';
import { flood, settledSum } from './support/flood.js';
import { otlpAuth, promQuery, scrape, secureFetch } from './support/secure.js';
import { detailSpans, findOrderTraces, getTrace } from './support/jaeger.js';
import { manufactureAndDeliver, newB2cOrder, submit } from './support/orders.js';
import {
  adminApi,
  E2E_DECISION_WAIT,
  eventually,
  internalApi,
  JAEGER_URL,
  localUp,
  resetFaults,
  restartCollector,
  root,
  stopNative,
} from './support/stack.js';

/**
 * The collector pipeline on the real collector and Jaeger (native stack): what tail sampling
 * keeps, PII masking, and exports that survive a Jaeger outage and a collector restart.
 */
const DECISION_WAIT_MS = Number.parseInt(E2E_DECISION_WAIT, 10) * 1000;
const SETTLE_MS = DECISION_WAIT_MS + 10_000;

/**
 * Whether Jaeger has the order's detail (not just its skeleton, which every order has): what the
 * tail sampling decides.
 */
async function detailInJaeger(orderId: string): Promise<boolean> {
  for (const service of SERVICE_NAMES) {
    for (const found of await findOrderTraces(service, orderId)) if (detailSpans(found).length > 0) return true;
  }
  return false;
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

describe('tail sampling keeps what matters and a share of the rest', () => {
  const BASELINE = 0.25;
  const HEALTHY = 80;
  const critical = new Map<string, string>(); // order id → why it must be kept
  const healthy: string[] = [];

  before(async () => {
    await restartCollector({ OTELCOL_BASELINE_PERCENT: String(BASELINE * 100), OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT });
    await resetFaults();
  });
  after(() => resetFaults());

  it('keeps every order with an error, a timeout, a retry, a slow step or a stuck mark', { timeout: 300_000 }, async () => {
    const withFault = async (why: string, service: 'mes-api' | 'mes', faults: Record<string, number>, count: number) => {
      for (let i = 0; i < count; i++) {
        const id = await newB2cOrder();
        await adminApi(service).send('PUT', '/admin/faults', { json: faults });
        await submit(id);
        await resetFaults();
        critical.set(id, why);
      }
    };
    await withFault('retry', 'mes-api', { failNext: 2 }, 3); // retried, then fine
    await withFault('error', 'mes-api', { failNext: 8 }, 3); // retries exhausted: 502 to the customer
    await withFault('slow', 'mes', { latencyMs: 1500 }, 3); // the hand-off takes 1.5 s (threshold 1 s)
    await withFault('timeout', 'mes', { hangRate: 1 }, 2); // the hand-off never answers
    await withFault('stuck', 'mes', { dropRate: 1 }, 3); // lost at MANUFACTURING_APPROVED
    const scan = await internalApi('crm').send<{ stuck: Array<{ order_id: string }> }>('POST', '/internal/registry/stuck-scan?older_than_s=0');
    for (const [id, why] of critical) if (why === 'stuck') assert.ok(scan.body.stuck.some((o) => o.order_id === id));

    await sleep(SETTLE_MS);
    const missing: string[] = [];
    for (const [id, why] of critical) if (!(await detailInJaeger(id))) missing.push(`${id} (${why})`);
    assert.deepEqual(missing, [], 'every critical order is in Jaeger with its detail');
    // Each kept span says which sampling policy kept it, and Prometheus counts them per policy.
    const policies = await eventually('kept spans per sampling policy in Prometheus', 60_000, async () => {
      const found = new Set((await promQuery('sum by (sampling_policy) (traces_kept_calls_total)')).map((r) => r.metric.sampling_policy));
      // (A retried call always has a failed attempt, an error span: "errors" keeps those first.)
      return ['errors', 'slow', 'stuck'].every((p) => found.has(p)) ? found : undefined;
    });
    assert.ok(policies.size >= 3);
  });

  it(`keeps a share of healthy orders close to the baseline (${BASELINE * 100} %)`, { timeout: 300_000 }, async (t: TestContext) => {
    await pool(Array.from({ length: HEALTHY }, (_, i) => i), 4, async () => {
      const id = await newB2cOrder();
      const placed = await submit(id);
      assert.equal(placed.status, 200);
      healthy.push(id);
    });
    await sleep(SETTLE_MS);
    // Every order is in Jaeger (its skeleton); the baseline decides whose detail is there too.
    let kept = 0;
    for (const id of healthy) {
      const found = await findOrderTraces('shop', id);
      assert.equal(found.length, 1, `order ${id} is in Jaeger`);
      if (detailSpans(found[0]!).length > 0) kept++;
    }
    const share = kept / HEALTHY;
    // Each healthy trace is kept with probability P, independently (the decision hashes its random
    // trace id): the kept count is Binomial(n, P). Three standard deviations either side.
    const tolerance = 3 * Math.sqrt((BASELINE * (1 - BASELINE)) / HEALTHY);
    t.diagnostic(`healthy orders with their detail kept: ${kept}/${HEALTHY} = ${share.toFixed(3)}; baseline ${BASELINE} ± ${tolerance.toFixed(3)} (3σ of Binomial(${HEALTHY}, ${BASELINE}))`);
    assert.ok(Math.abs(share - BASELINE) <= tolerance, `share ${share} within ${BASELINE} ± ${tolerance.toFixed(3)}`);
  });
});

describe('PII masking in the collector', () => {
  before(() => restartCollector({ OTELCOL_BASELINE_PERCENT: '100', OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT }));

  it('masks an e-mail, a phone and a card number in attributes and events: they appear nowhere in Jaeger', async () => {
    const traceId = randomBytes(16).toString('hex');
    const canary = { email: 'canary.person@example.com', phone: '+49 170 1234567', card: '4111 1111 1111 1111', cardPlain: '4111111111111111' };
    const orderId = '00000000-0000-4000-8000-000000000000';
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [str('service.name', 'canary')] },
          scopeSpans: [
            {
              scope: { name: 'e2e-canary' },
              spans: [
                {
                  traceId,
                  spanId: randomBytes(8).toString('hex'),
                  name: 'canary',
                  kind: 2,
                  startTimeUnixNano: String(nowNs),
                  endTimeUnixNano: String(nowNs + 5_000_000n),
                  status: { code: 2, message: 'canary error (kept by the error policy)' },
                  attributes: [
                    str('order_id', orderId),
                    str('customer.email', canary.email),
                    str('note', `call me on ${canary.phone}`),
                    str('payment.card', canary.card),
                    str('customer.password', 'hunter2-canary'),
                  ],
                  events: [
                    {
                      timeUnixNano: String(nowNs + 1_000_000n),
                      name: 'exception',
                      attributes: [str('exception.message', `declined ${canary.cardPlain} for ${canary.email}, phone ${canary.phone}`)],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await secureFetch(
      'https://127.0.0.1:4318/v1/traces',
      { method: 'POST', headers: { 'content-type': 'application/json', ...otlpAuth('shop') }, body: JSON.stringify(body) },
      'shop',
    );
    assert.equal(res.status, 200);
    const trace = await eventually('the canary trace in Jaeger', SETTLE_MS, () => getTrace(traceId));
    const text = JSON.stringify(trace);
    for (const value of Object.values(canary)) assert.ok(!text.includes(value), `${value} is masked`);
    assert.ok(!text.includes('hunter2-canary'), 'a key naming a secret is dropped');
    assert.match(text, /\[email\]/);
    assert.match(text, /\[card\]/);
    assert.match(text, /\[phone\]/);
    assert.ok(text.includes(orderId), 'ids are not mistaken for card numbers');
  });
});

describe('durable export', () => {
  before(() => restartCollector({ OTELCOL_BASELINE_PERCENT: '100', OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT }));

  it('loses no kept order while Jaeger is down for 30 s', { timeout: 240_000 }, async () => {
    await stopNative('jaeger');
    const orders: string[] = [];
    const outageEnds = Date.now() + 30_000;
    try {
      while (Date.now() < outageEnds) {
        const id = await newB2cOrder();
        assert.equal((await submit(id)).status, 200);
        await manufactureAndDeliver(id);
        orders.push(id);
        await sleep(2000);
      }
    } finally {
      await localUp({ OTELCOL_BASELINE_PERCENT: '100', OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT });
    }
    assert.ok(orders.length >= 5);
    for (const id of orders) await eventually(`order ${id} in Jaeger after the outage`, 60_000, async () => ((await detailInJaeger(id)) ? true : undefined));
  });

  it('loses no kept order when the collector restarts with spans in its queue', { timeout: 240_000 }, async () => {
    await stopNative('jaeger');
    const orders: string[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const id = await newB2cOrder();
        assert.equal((await submit(id)).status, 200);
        orders.push(id);
      }
      // Past the decision: the kept spans wait in the exporter's queue (on disk) for Jaeger.
      const queued = await eventually('spans in the export queue', SETTLE_MS + 20_000, async () => {
        const metrics = await scrape('https://127.0.0.1:8888/metrics');
        const size = /^otelcol_exporter_queue_size\{[^}]*exporter="otlp_grpc\/jaeger"[^}]*\} (\d+)/m.exec(metrics);
        return size && Number(size[1]) > 0 ? Number(size[1]) : undefined;
      });
      assert.ok(queued > 0);
      await sleep(DECISION_WAIT_MS + 2000);
      await stopNative('otelcol');
    } finally {
      await localUp({ OTELCOL_BASELINE_PERCENT: '100', OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT });
    }
    for (const id of orders) await eventually(`order ${id} in Jaeger after the restart`, 60_000, async () => ((await detailInJaeger(id)) ? true : undefined));
  });
});

describe('a flood of traces', () => {
  const BUDGET = 200; // spans/s the collector may forward, for this test
  const BASELINE_SHARE = 0.25; // of the budget (rate_allocation of "baseline")

  before(() =>
    restartCollector({
      OTELCOL_BASELINE_PERCENT: '10',
      OTELCOL_SPANS_PER_SECOND: String(BUDGET),
      OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT,
    }),
  );
  after(() => restartCollector({ OTELCOL_BASELINE_PERCENT: '100', OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT }));

  it('forwards no more than the budget, keeps every error trace, and stays under the memory limit', { timeout: 240_000 }, async (t: TestContext) => {
    const metrics = 'https://127.0.0.1:8888/metrics';
    const sent = () => settledSum(metrics, 'otelcol_exporter_sent_spans', /otlp_grpc\/jaeger/);
    const pid = Number(readFileSync(`${root}/.local/run/otelcol.pid`, 'utf8'));
    const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
    let maxRss = rssMiB();
    const watcher = setInterval(() => (maxRss = Math.max(maxRss, rssMiB())), 500);

    const before = await sent();
    const startedAt = Date.now();
    const result = await flood({ seconds: 20, healthySpansPerSecond: BUDGET * 12, spansPerTrace: 10, errorTracesPerSecond: 1 });
    // Everything decided and exported: decision_wait, then a batch or two.
    await sleep(DECISION_WAIT_MS + 5000);
    clearInterval(watcher);
    const exported = (await sent()) - before;
    const seconds = (Date.now() - startedAt) / 1000;
    const offered = result.healthySpans / result.seconds;
    const rate = exported / result.seconds;
    t.diagnostic(
      `offered ${offered.toFixed(0)} healthy spans/s (${(offered / BUDGET).toFixed(1)}× the ${BUDGET} spans/s budget) + ${result.errorTraceIds.length} error traces; ` +
        `exported ${exported} spans = ${rate.toFixed(1)} spans/s over the ${result.seconds} s flood (${seconds.toFixed(0)} s with settling); collector RSS max ${maxRss.toFixed(0)} MiB`,
    );
    assert.ok(offered >= BUDGET * 10, 'the flood is at least 10× the budget');
    // At most the budget (+15 % for decisions that straddle a second), and the healthy share is
    // used: what is cut is healthy traffic, not the budget's critical shares.
    assert.ok(rate <= BUDGET * 1.15, `exported ${rate.toFixed(1)} spans/s ≤ ${BUDGET} (+15 %)`);
    assert.ok(rate >= BUDGET * BASELINE_SHARE * 0.5, `the baseline share is used (${rate.toFixed(1)} spans/s)`);
    for (const id of result.errorTraceIds) {
      await eventually(`error trace ${id} in Jaeger`, 30_000, () => getTrace(id));
    }
    assert.ok(maxRss < 400, `collector RSS ${maxRss.toFixed(0)} MiB under the limiter's 400 MiB`);
  });
});

describe('span metrics and the service graph in Prometheus', () => {
  const query = (promql: string) => promQuery(promql);

  it('has RED series for all four services and every edge between them, and the collector\'s own', { timeout: 120_000 }, async () => {
    // Fresh traffic through every edge (the collector may just have restarted).
    const id = await newB2cOrder();
    assert.equal((await submit(id)).status, 200);
    await manufactureAndDeliver(id);
    await eventually('span metrics for the four services', 60_000, async () => {
      const services = new Set((await query('sum by (service_name) (traces_span_metrics_calls_total)')).map((r) => r.metric.service_name));
      return SERVICE_NAMES.every((s) => services.has(s)) ? true : undefined;
    });
    const edges = await eventually('service-graph edges', 60_000, async () => {
      const found = new Set((await query('sum by (client, server) (traces_service_graph_request_total)')).map((r) => `${r.metric.client}->${r.metric.server}`));
      const wanted = ['shop->crm', 'shop->mes-api', 'mes-api->crm', 'crm->mes', 'crm->shop', 'mes->crm'];
      return wanted.every((e) => found.has(e)) ? found : undefined;
    });
    assert.ok(edges.size >= 6);
    for (const metric of ['otelcol_receiver_accepted_spans', 'otelcol_exporter_queue_size', 'otelcol_processor_tail_sampling_count_traces_sampled']) {
      assert.ok((await query(`{job="otelcol", __name__=~"${metric}(_total)?"}`)).length > 0, `${metric} in Prometheus`);
    }
    // Jaeger's dependency view (System Architecture), from the stored traces.
    const deps = (await (await secureFetch(`${JAEGER_URL}/api/dependencies?endTs=${Date.now()}&lookback=3600000`, {}, 'grafana')).json()) as {
      data: Array<{ parent: string; child: string; callCount: number }>;
    };
    const links = new Set(deps.data.map((d) => `${d.parent}->${d.child}`));
    for (const e of ['shop->mes-api', 'mes-api->crm', 'crm->mes', 'mes->crm']) assert.ok(links.has(e), `Jaeger dependency ${e} in ${[...links].join(', ')}`);
    // Jaeger's Monitor tab reads the same series through Prometheus.
    const spm = (await (await secureFetch(`${JAEGER_URL}/api/metrics/calls?service=crm&spanKind=server`, {}, 'grafana')).json()) as { metrics?: unknown[] };
    assert.ok(Array.isArray(spm.metrics) && spm.metrics.length > 0, 'Jaeger SPM has call rates for crm');
  });
});
