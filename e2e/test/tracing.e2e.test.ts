import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { ownerOf, pathOf, SERVICE_NAMES, type Channel } from '@orderscope/orders';
import { assertOneTree, getTrace, isError, orderTrace as findOrderTrace, parentsArrived, serviceOf, tag, transitionSpans, type JaegerSpan, type JaegerTrace } from './support/jaeger.js';
import { manufactureAndDeliver, newB2cOrder, submit } from './support/orders.js';
import {
  adminApi,
  E2E_DECISION_WAIT,
  eventually,
  internalApi,
  localUp,
  publicApi,
  resetFaults,
  restartCollector,
  root,
} from './support/stack.js';

/**
 * Order tracing end to end: the services' SDK → the OpenTelemetry Collector → Jaeger v2, all real,
 * native stack. The collector runs here with a baseline of 100 % (no sampling loss), so a trace
 * must be searchable within decision_wait + 10 s of the order's last step.
 */
const DECISION_WAIT_S = Number.parseInt(E2E_DECISION_WAIT, 10);
const SEARCHABLE_MS = (DECISION_WAIT_S + 10) * 1000;
const run = promisify(execFile);

/** The order's one trace, within the bound this suite asserts. */
const orderTrace = (orderId: string, until: (t: JaegerTrace) => boolean, services: readonly string[] = SERVICE_NAMES) =>
  findOrderTrace(orderId, until, services, SEARCHABLE_MS);

const hasStatus = (status: string) => (t: JaegerTrace) => transitionSpans(t).some((s) => tag(s, 'order.status') === status);
/** Every transition of the channel has reached Jaeger (the services export independently). */
const hasAll = (channel: Channel) => (t: JaegerTrace) => pathOf(channel).every((status) => hasStatus(status)(t));

describe('order tracing on the real collector and Jaeger', () => {
  let orders: Array<{ order_id: string; channel: Channel; status: string }>;
  const traces = new Map<string, JaegerTrace>();

  before(async () => {
    await restartCollector({ OTELCOL_BASELINE_PERCENT: '100', OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT });
    await resetFaults();
    const { stdout } = await run('npm', ['run', '-s', 'simulate', '--', '--orders', '8', '--quiet', '--scenario', 'healthy'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 240_000,
    });
    orders = JSON.parse(stdout.trim().split('\n').at(-1)!).orders;
    assert.equal(orders.filter((o) => o.status === 'CLOSED').length, 8, 'the simulated orders closed');
    assert.deepEqual(new Set(orders.map((o) => o.channel)), new Set(['b2c', 'b2b']));
    // Read once whole: every transition, and every span's parent (parentsArrived). One that never
    // completes fails here, by the suite's bound.
    const whole = (channel: Channel) => (t: JaegerTrace) => hasAll(channel)(t) && parentsArrived(t);
    for (const o of orders) traces.set(o.order_id, await orderTrace(o.order_id, whole(o.channel)));
  });

  it('finds each order, with any of the four services and its order_id, as one and the same trace', () => {
    // orderTrace() asserted it per order; the traces of different orders are different.
    assert.equal(new Set([...traces.values()].map((t) => t.traceID)).size, orders.length);
    // One tree each: one root, no span whose parent is missing, and each skeleton span once
    // although the collector sends it twice (with the detail and with the skeleton).
    for (const [id, trace] of traces) assertOneTree(trace, id);
  });

  it('holds every status transition of the order, in time order, each on a span of its owning service', () => {
    for (const o of orders) {
      const trace = traces.get(o.order_id)!;
      const spans = transitionSpans(trace).filter((s) => tag(s, 'order.transition.replayed') === false);
      assert.deepEqual(
        spans.map((s) => tag(s, 'order.status')),
        pathOf(o.channel),
        `${o.order_id} (${o.channel}): transitions in time order`,
      );
      for (const s of spans) {
        assert.equal(serviceOf(trace, s), ownerOf(o.channel, tag(s, 'order.status') as never), `${s.operationName} on its owner`);
        assert.equal(tag(s, 'order.channel'), o.channel);
      }
      // The status data: the previous status and the time spent in it; the lifecycle at CLOSED.
      spans.slice(1).forEach((s, i) => {
        assert.equal(tag(s, 'order.previous_status'), tag(spans[i]!, 'order.status'));
        assert.equal(typeof tag(s, 'order.previous_status_duration_ms'), 'number');
      });
      assert.ok((tag(spans.at(-1)!, 'order.lifecycle_duration_ms') as number) > 0, 'lifecycle duration at CLOSED');
    }
  });

  it('has DB spans and client → server spans between the services (the service graph)', () => {
    const edges = new Set<string>();
    for (const trace of traces.values()) {
      const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
      assert.ok(trace.spans.some((s) => tag(s, 'db.system.name') === 'postgresql' && tag(s, 'span.kind') === 'client'), 'DB spans');
      for (const s of trace.spans) {
        const parent = byId.get(s.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '');
        if (tag(s, 'span.kind') === 'server' && parent && tag(parent, 'span.kind') === 'client') {
          edges.add(`${serviceOf(trace, parent)}->${serviceOf(trace, s)}`);
        }
      }
    }
    for (const edge of ['shop->crm', 'shop->mes-api', 'mes-api->crm', 'crm->mes', 'mes->crm']) {
      assert.ok(edges.has(edge), `edge ${edge} in ${[...edges].join(', ')}`);
    }
  });

  it('puts order_id on every span, and user_id only as a keyed pseudonym', () => {
    for (const [orderId, trace] of traces) {
      for (const s of trace.spans) {
        assert.equal(tag(s, 'order_id'), orderId, `${serviceOf(trace, s)} ${s.operationName} carries order_id`);
        const user = tag(s, 'user_id');
        assert.match(String(user), /^[0-9a-f]{32}$/, `${s.operationName}: user_id is a pseudonym`);
      }
      // The simulator's customer ids (sim-user-N, and B2B client names) appear nowhere.
      const text = JSON.stringify(trace);
      assert.doesNotMatch(text, /sim-user-\d+|acme-robotics|nordic-drones|medtech-labs|auto-parts-gmbh|studio-proto/);
    }
  });

  it('writes JSON logs whose lines about an order carry its trace_id, span_id and order_id, and no customer data', () => {
    const services = SERVICE_NAMES.map((svc) => readFileSync(`${root}/.local/logs/${svc}.log`, 'utf8'));
    const lines = services.flatMap((text) => text.split('\n').filter((l) => l.startsWith('{'))).map((l) => JSON.parse(l));
    for (const o of orders) {
      const about = lines.filter((l) => typeof l.req?.path === 'string' && l.req.path.includes(o.order_id));
      assert.ok(about.length >= 8, `${o.order_id}: request lines in the logs (${about.length})`);
      for (const line of about) {
        assert.equal(line.order_id, o.order_id, `${line.service} ${line.req.method} ${line.req.path}: order_id`);
        assert.match(line.trace_id, /^[0-9a-f]{32}$/);
        assert.match(line.span_id, /^[0-9a-f]{16}$/);
        assert.equal(line.trace_id, traces.get(o.order_id)!.traceID, 'the log line is in the order\'s trace');
      }
    }
    const all = services.join('\n');
    assert.doesNotMatch(all, /sim-user-\d+|acme-robotics|nordic-drones|medtech-labs|auto-parts-gmbh|studio-proto/, 'no customer ids');
    assert.doesNotMatch(all, /"body"|solid |"user_id":"sim/, 'no request bodies');
  });

  it('makes a closed order searchable within decision_wait + 10 s of its last step', async (t: TestContext) => {
    const id = await newB2cOrder();
    assert.equal((await submit(id)).status, 200);
    await manufactureAndDeliver(id);
    const lastStep = Date.now();
    await orderTrace(id, hasAll('b2c'));
    const ms = Date.now() - lastStep;
    t.diagnostic(`order ${id} searchable by order_id in all four services ${ms} ms after its last step (bound ${SEARCHABLE_MS} ms)`);
    assert.ok(ms <= SEARCHABLE_MS);
  });
});

describe('faults as the trace shows them', () => {
  it('shows a retried call with its attempts and retry.count, and the order advances', async () => {
    await resetFaults();
    const id = await newB2cOrder();
    await adminApi('mes-api').send('PUT', '/admin/faults', { json: { failNext: 2 } });
    const placed = await submit(id);
    assert.equal(placed.status, 200, JSON.stringify(placed.body));
    // One CLIENT span per attempt, siblings under the shop's request; the last carries the call's counts.
    const pricing = (t: JaegerTrace) =>
      t.spans
        .filter((s) => s.operationName === 'POST /internal/orders/:id/price' && tag(s, 'span.kind') === 'client')
        .sort((a, b) => a.startTime - b.startTime);
    const trace = await orderTrace(id, (t) => pricing(t).length === 3);
    const attempts = pricing(trace);
    const parents = new Set(attempts.map((s) => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID));
    assert.equal(parents.size, 1, 'the attempts share their parent');
    assert.deepEqual(attempts.map((s) => tag(s, 'http.request.resend_count')), [undefined, 1, 2]);
    assert.deepEqual(attempts.map((s) => tag(s, 'http.response.status_code')), [500, 500, 200]);
    assert.deepEqual(attempts.map((s) => tag(s, 'retry.count')), [undefined, undefined, 2]);
    assert.equal(tag(attempts[2]!, 'http.request.attempts'), 3);
    assert.ok(isError(attempts[0]!) && isError(attempts[1]!) && !isError(attempts[2]!));
    assert.ok(hasStatus('MANUFACTURING_APPROVED')(trace));
  });

  it('shows a timed-out call with timeout and an error status, and the trace still holds the whole order', async () => {
    await resetFaults();
    const id = await newB2cOrder();
    await adminApi('mes').send('PUT', '/admin/faults', { json: { hangRate: 1 } });
    const failed = await submit(id);
    await resetFaults();
    assert.equal(failed.status, 504, JSON.stringify(failed.body));
    assert.equal(failed.body.error, 'upstream_timeout');

    const timedOut = (t: JaegerTrace) =>
      t.spans.filter((s) => tag(s, 'span.kind') === 'client' && tag(s, 'timeout') === true && tag(s, 'error.type') === 'timeout' && isError(s));
    // The attempt that ended the call: the call's own counts are on it.
    const trace = await orderTrace(id, (t) => timedOut(t).some((s) => tag(s, 'timeout.attempts') !== undefined));
    const attempts = timedOut(trace);
    const last = attempts.find((s) => tag(s, 'timeout.attempts') !== undefined)!;
    assert.ok((tag(last, 'timeout.budget_ms') as number) > 0);
    assert.ok((tag(last, 'timeout.attempts') as number) >= 1);
    assert.equal(tag(last, 'http.request.attempts'), (tag(last, 'retry.count') as number) + 1);
    assert.ok(attempts.some((s) => s.logs.some((l) => l.fields.some((f) => f.key === 'event' && f.value === 'exception'))), 'with an exception event');

    // The customer places the order again once the MES answers: same trace, and it goes on to the end.
    assert.equal((await submit(id)).status, 200);
    await manufactureAndDeliver(id);
    const whole = await orderTrace(id, hasAll('b2c'));
    assert.equal(whole.traceID, trace.traceID);
    const statuses = new Set(transitionSpans(whole).map((s) => tag(s, 'order.status')));
    for (const status of pathOf('b2c')) assert.ok(statuses.has(status), `${status} in the trace`);
  });
});

describe('a forged traceparent', () => {
  it('cannot add spans to another order\'s trace', async () => {
    await resetFaults();
    const victim = await newB2cOrder();
    // So far the order has met the shop and the CRM (its registry) only.
    const victimTrace = await orderTrace(victim, hasStatus('FILE_UPLOADED'), ['shop', 'crm']);
    const forged = `00-${victimTrace.traceID}-${'ab'.repeat(8)}-01`;

    // A new order, an upload and a placed order, all sent with the victim's trace context.
    const attacker = await newB2cOrder({ traceparent: forged });
    assert.equal((await submit(attacker)).status, 200);
    // The internal API, without the token, with the forged context: refused, and not traced into it.
    const refused = await publicApi('crm').call('PUT', `/internal/registry/orders/${victim}/transitions/SUBMITTED`, {
      json: { actor: 'shop' },
      headers: { traceparent: forged },
    });
    assert.equal(refused.status, 401);
    const attackerTrace = await orderTrace(attacker, hasStatus('MANUFACTURING_APPROVED'));
    assert.notEqual(attackerTrace.traceID, victimTrace.traceID);

    // Everything above has reached Jaeger (the attacker's later spans are there): the victim's
    // trace has gained nothing.
    const after = await getTrace(victimTrace.traceID);
    assert.equal(after!.spans.length, victimTrace.spans.length);
    assert.ok(after!.spans.every((s: JaegerSpan) => tag(s, 'order_id') === victim));
    // And the registry refused nothing of the victim's: it is where the victim left it.
    const { body } = await internalApi('crm').send<{ status: string }>('GET', `/registry/orders/${victim}`);
    assert.equal(body.status, 'FILE_UPLOADED');
  });
});

describe('a collector outage', () => {
  it('costs spans, counted, never requests', { timeout: 120_000 }, async () => {
    const pidFile = `${root}/.local/run/otelcol.pid`;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const before = (await publicApi('shop').send<{ failedSpans: number }>('GET', '/health/telemetry')).body;
    process.kill(pid, 'SIGTERM');
    await eventually('the collector to stop', 20_000, async () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    });
    try {
      // The shop keeps serving while its spans have nowhere to go.
      const created = await publicApi('shop').call('POST', '/orders', { json: { user_id: 'outage-user' } });
      assert.equal(created.status, 201);
      const failed = await eventually('the shop to count spans it could not export', 60_000, async () => {
        const now = (await publicApi('shop').send<{ failedSpans: number }>('GET', '/health/telemetry')).body;
        return now.failedSpans > before.failedSpans ? now.failedSpans - before.failedSpans : undefined;
      });
      assert.ok(failed > 0);
    } finally {
      // local:up is idempotent: it starts only what is missing, the collector.
      await localUp({ OTELCOL_BASELINE_PERCENT: '100', OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT });
    }
  });
});
