import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { ownerOf, pathOf, type Channel, type OrderStatus } from '@orderscope/orders';
import { flood, settledSum } from './support/flood.js';
import { assertOneTree, detailSpans, isSkeleton, orderTrace, parentsArrived, tag, transitionSpans, type JaegerTrace } from './support/jaeger.js';
import { newB2cOrder, submit } from './support/orders.js';
import { adminApi, E2E_DECISION_WAIT, eventually, internalApi, resetFaults, restartCollector, root } from './support/stack.js';

/**
 * The order is the unit of tracing (issue: every order findable by order_id, every lost order
 * with its whole path), on the real collector and Jaeger with the stack's DEFAULT sampling of the
 * detail (10 % of healthy traces): each order's skeleton reaches Jaeger whatever that decides,
 * and an order found stuck long after its trace was decided brings its detail along.
 */
const run = promisify(execFile);
const DECISION_WAIT_S = Number.parseInt(E2E_DECISION_WAIT, 10);
/** The hold of the detail for late problems, shortened for the suite (default 180 s). */
const HOLD_WAIT_S = 40;
const SETTINGS = { OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT, OTELCOL_HOLD_WAIT: `${HOLD_WAIT_S}s` };

const owners = (channel: Channel, statuses: readonly OrderStatus[]) =>
  [...new Set(statuses.map((s) => ownerOf(channel, s)))].filter((s): s is NonNullable<typeof s> => s !== undefined);
const made = (trace: JaegerTrace) => transitionSpans(trace).filter((s) => tag(s, 'order.transition.replayed') === false);
const holds = (statuses: readonly OrderStatus[]) => (t: JaegerTrace) => {
  const found = new Set(made(t).map((s) => tag(s, 'order.status')));
  return statuses.every((s) => found.has(s));
};
/** Read once whole: every transition, and every span's parent (parentsArrived). */
const whole = (statuses: readonly OrderStatus[]) => (t: JaegerTrace) => holds(statuses)(t) && parentsArrived(t);

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

describe('every order in Jaeger with its whole skeleton, under the default sampling', () => {
  before(async () => {
    await restartCollector(SETTINGS);
    await resetFaults();
  });
  after(() => resetFaults());

  it('finds every order of a healthy run by order_id, one tree each, holding all its transitions', { timeout: 420_000 }, async (t: TestContext) => {
    const ORDERS = 24;
    const { stdout } = await run('npm', ['run', '-s', 'simulate', '--', '--orders', String(ORDERS), '--quiet', '--scenario', 'healthy'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    });
    const orders: Array<{ order_id: string; channel: Channel; status: string }> = JSON.parse(stdout.trim().split('\n').at(-1)!).orders;
    assert.equal(orders.filter((o) => o.status === 'CLOSED').length, ORDERS, 'the simulated orders closed');
    assert.deepEqual(new Set(orders.map((o) => o.channel)), new Set(['b2c', 'b2b']));

    const skeletonOnly: number[] = [];
    const withDetail: number[] = [];
    for (const o of orders) {
      const path = pathOf(o.channel);
      // Found through each service that made one of its transitions, as one and the same trace.
      const trace = await orderTrace(o.order_id, whole(path), owners(o.channel, path), DECISION_WAIT_S * 1000 + 60_000);
      assert.deepEqual(made(trace).map((s) => tag(s, 'order.status')), path, `${o.order_id} (${o.channel}): every transition, in order`);
      for (const s of made(trace)) assert.ok(isSkeleton(s), `${s.operationName} is on the skeleton`);
      assertOneTree(trace, o.order_id);
      (detailSpans(trace).length > 0 ? withDetail : skeletonOnly).push(trace.spans.length);
    }
    t.diagnostic(
      `${ORDERS} orders, all found: ${skeletonOnly.length} as skeleton only (mean ${mean(skeletonOnly).toFixed(1)} spans), ` +
        `${withDetail.length} with their detail (mean ${mean(withDetail).toFixed(1)} spans)`,
    );
    // The default baseline keeps ~10 % of the detail: most orders are found by their skeleton alone.
    assert.ok(skeletonOnly.length > 0, 'some orders were found although their detail was sampled away');
  });

  it('shows an order lost in the MES and found stuck after its decision with its whole path, the stuck mark and its detail, in one trace', { timeout: 300_000 }, async (t: TestContext) => {
    const LOST = 3;
    const lost: string[] = [];
    for (let i = 0; i < LOST; i++) {
      const id = await newB2cOrder();
      await adminApi('mes').send('PUT', '/admin/faults', { json: { dropRate: 1 } });
      assert.equal((await submit(id)).status, 200, 'the hand-off "succeeded"');
      await resetFaults();
      lost.push(id);
    }
    // Found stuck well after decision_wait: the detail's first decision is long made.
    const stuckAfterS = DECISION_WAIT_S * 3;
    // Each order is reported once (per status); earlier tests' open orders may come first.
    const reported = new Map<string, { order_id: string; status: string; trace: { trace_id: string; jaeger_url: string } | null }>();
    await eventually(`the stuck-order scan to find the ${LOST} lost orders`, 60_000, async () => {
      const r = await internalApi('crm').send<{ stuck: Array<{ order_id: string; status: string; trace: { trace_id: string; jaeger_url: string } | null }> }>(
        'POST',
        `/internal/registry/stuck-scan?older_than_s=${stuckAfterS}`,
      );
      for (const o of r.body.stuck) reported.set(o.order_id, o);
      return lost.every((id) => reported.has(id)) ? true : undefined;
    });
    const reachedStatuses = pathOf('b2c').slice(0, pathOf('b2c').indexOf('MANUFACTURING_APPROVED') + 1);
    for (const id of lost) {
      const report = reported.get(id);
      assert.equal(report?.status, 'MANUFACTURING_APPROVED', `${id} reported stuck at MANUFACTURING_APPROVED`);
      // "Where is my order?" leads straight to its trace.
      const { body } = await internalApi('crm').send<{ trace: { trace_id: string; jaeger_url: string } }>('GET', `/registry/orders/${id}`);
      assert.deepEqual(body.trace, report!.trace);
      assert.match(body.trace.jaeger_url, new RegExp(`/trace/${body.trace.trace_id}$`));

      // The detail from before the order stopped: the customer's requests, the hand-off call that
      // was lost, the DB. (Polled for whole: Jaeger may be writing the held spans as we read.)
      const detailBefore = (tr: JaegerTrace) =>
        detailSpans(tr).some((s) => tag(s, 'db.system.name') === 'postgresql') &&
        detailSpans(tr).some((s) => s.operationName.startsWith('PUT /internal/work-orders/') && tag(s, 'span.kind') === 'client') &&
        detailSpans(tr).some((s) => s.operationName.startsWith('POST /orders/:orderId/submit'));
      const complete = (tr: JaegerTrace) => whole(reachedStatuses)(tr) && tr.spans.some((s) => s.operationName === 'order stuck') && detailBefore(tr);
      const trace = await orderTrace(id, complete, owners('b2c', reachedStatuses), (HOLD_WAIT_S + 30) * 1000);
      assert.equal(trace.traceID, body.trace.trace_id, 'the registry links the trace Jaeger finds');
      assert.deepEqual(made(trace).map((s) => tag(s, 'order.status')), reachedStatuses);
      const mark = trace.spans.find((s) => s.operationName === 'order stuck')!;
      assert.equal(tag(mark, 'order.stuck'), true);
      assert.ok((tag(mark, 'order.stuck_for_ms') as number) >= stuckAfterS * 1000);
      assertOneTree(trace, id);
      const detail = detailSpans(trace);
      const policies = new Set(trace.spans.map((s) => tag(s, 'sampling.policy')));
      t.diagnostic(`lost order ${id}: ${trace.spans.length} spans (${detail.length} detail), kept by ${[...policies].join(', ')}`);
    }
  });
});

describe('the skeleton has its own budget', () => {
  const BUDGET = 100; // skeleton spans/s, for this test
  before(() => restartCollector({ ...SETTINGS, OTELCOL_SKELETON_SPANS_PER_SECOND: String(BUDGET) }));
  after(() => restartCollector({ OTELCOL_BASELINE_PERCENT: '100', OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT }));

  it('bounds a burst of fake orders to the budget, and keeps every problem on the skeleton', { timeout: 240_000 }, async (t: TestContext) => {
    // Spans that reached Jaeger through the skeleton pipeline, counted by the collector per policy.
    const kept = (policy: RegExp) => settledSum('https://127.0.0.1:8889/metrics', 'traces_kept_calls', policy, 17_000, 90_000);
    const skeleton = /sampling_policy="skeleton"/;
    const problems = /sampling_policy="skeleton-problems"/;
    const [before, beforeProblems] = [await kept(skeleton), await kept(problems)];
    const result = await flood({
      seconds: 15,
      healthySpansPerSecond: BUDGET * 10,
      spansPerTrace: 4,
      errorTracesPerSecond: 1,
      attributes: { 'order.skeleton': true },
    });
    const [after, afterProblems] = [await kept(skeleton), await kept(problems)];
    const rate = (after - before) / result.seconds;
    const offered = result.healthySpans / result.seconds;
    t.diagnostic(
      `offered ${offered.toFixed(0)} fake skeleton spans/s (${(offered / BUDGET).toFixed(1)}× the ${BUDGET} spans/s budget); ` +
        `kept ${after - before} = ${rate.toFixed(1)} spans/s; problems kept ${afterProblems - beforeProblems} of ${result.errorTraceIds.length * 4}`,
    );
    assert.ok(offered >= BUDGET * 8, 'the burst is many times the budget');
    // At most the healthy skeleton's share (70 %) of the budget, +15 % for decisions straddling a second.
    assert.ok(rate <= BUDGET * 0.7 * 1.15, `kept ${rate.toFixed(1)} spans/s ≤ ${BUDGET * 0.7} (+15 %)`);
    assert.ok(rate >= BUDGET * 0.7 * 0.5, `the share is used (${rate.toFixed(1)} spans/s)`);
    // The problems share is not eaten by the burst: every failed fake transition was kept by it.
    assert.equal(afterProblems - beforeProblems, result.errorTraceIds.length * 4, 'every problem span kept');
  });
});
