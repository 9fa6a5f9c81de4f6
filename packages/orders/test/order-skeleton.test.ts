import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { context, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ServiceClient } from '@orderscope/platform';
import { ATTR, captureTraceContext, RegistryClient, setRequestSpan, storedTraceId, tracedTransition, withOrderRoot, type TransitionRecord } from '../src/index.js';

/**
 * The order's skeleton as the SDK builds it: the transition spans hang directly under the order's
 * root (named by baggage), so they still form one tree when the collector drops the detail.
 */
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();
const tracer = provider.getTracer('test');

const TRANSITION: TransitionRecord = {
  order_id: '3f0c1b2a-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  seq: 2,
  status: 'SUBMITTED',
  previous_status: 'FILE_UPLOADED',
  actor: 'shop',
  operator_id: null,
  channel: 'b2c',
  occurred_at: new Date(0).toISOString(),
  previous_status_ms: 42,
  lifecycle_ms: null,
};

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().find((s) => s.name === name)!;
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

/** Runs `work` as a request span would: `root` begins the order's trace, `request` is its detail. */
async function inRequest<T>(opts: { withRoot: boolean }, work: (root: Span, request: Span) => Promise<T>): Promise<T> {
  const root = tracer.startSpan('POST /orders');
  let ctx = trace.setSpan(context.active(), root);
  if (opts.withRoot) ctx = withOrderRoot(ctx, root.spanContext().spanId);
  const request = tracer.startSpan('POST /orders/:id/submit', {}, ctx);
  try {
    return await context.with(setRequestSpan(trace.setSpan(ctx, request), request), () => work(root, request));
  } finally {
    request.end();
    root.end();
  }
}

describe('the order skeleton in the SDK', () => {
  before(() => {
    contextManager.enable();
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(provider);
  });
  after(async () => {
    await provider.shutdown();
    context.disable();
    trace.disable();
  });
  beforeEach(() => exporter.reset());

  it('hangs a transition under the order root, links it to the request, and keeps the work under the request', async () => {
    const { root, request } = await inRequest({ withRoot: true }, async (root, request) => {
      await tracedTransition('SUBMITTED', async () => {
        tracer.startSpan('PUT /internal/registry/orders/:id/transitions/SUBMITTED').end();
        return { transition: TRANSITION, replayed: false };
      });
      return { root, request };
    });
    const marker = named('order SUBMITTED');
    assert.equal(parentOf(marker), root.spanContext().spanId, 'parent: the order root');
    assert.equal(marker.spanContext().traceId, root.spanContext().traceId);
    assert.deepEqual(marker.links.map((l) => l.context.spanId), [request.spanContext().spanId], 'link: the request');
    assert.equal(marker.attributes[ATTR.skeleton], true);
    assert.equal(marker.attributes[ATTR.status], 'SUBMITTED');
    assert.equal(marker.attributes[ATTR.previousStatusDurationMs], 42);
    assert.equal(parentOf(named('PUT /internal/registry/orders/:id/transitions/SUBMITTED')), request.spanContext().spanId, 'the detail stays under the request');
  });

  it('links nothing when the request is the order root itself (Jaeger would take a link to the parent for its reference type)', async () => {
    // The creating request: its own span is the root, and no handler span stands between.
    const root = tracer.startSpan('POST /orders');
    const ctx = withOrderRoot(trace.setSpan(context.active(), root), root.spanContext().spanId);
    await context.with(setRequestSpan(ctx, root), () =>
      tracedTransition('INITIATED', async () => ({ transition: { ...TRANSITION, status: 'INITIATED', previous_status: null }, replayed: false })),
    );
    root.end();
    const marker = named('order INITIATED');
    assert.equal(parentOf(marker), root.spanContext().spanId, 'parent: the order root');
    assert.deepEqual(marker.links, [], 'no link to its own parent');
  });

  it("records the operator behind a step: operator_id to the registry, orderscope.actor on the transition's span", async () => {
    const OPERATOR = '9b2e7c1d-0f3a-4b5c-8d6e-7f8091a2b3c4';
    const sent: unknown[] = [];
    // The registry's answer as the contract says; what the client sent is kept.
    const crm = {
      options: { target: 'crm' },
      send: async (_method: string, _path: string, opts: { json?: unknown }) => {
        sent.push(opts.json);
        const transition = { ...TRANSITION, status: 'MANUFACTURING_STARTED', actor: 'mes', operator_id: OPERATOR };
        return { status: 200, body: { transition, replayed: false, trace_context: null }, attempts: 1, retries: 0, timedOutAttempts: 0 };
      },
    } as unknown as ServiceClient;
    const registry = new RegistryClient('mes', crm);
    const result = await inRequest({ withRoot: true }, () => registry.record(TRANSITION.order_id, 'MANUFACTURING_STARTED', { operatorId: OPERATOR }));
    assert.deepEqual(sent, [{ actor: 'mes', operator_id: OPERATOR }]);
    assert.equal(result.transition.operator_id, OPERATOR);
    assert.equal(named('order MANUFACTURING_STARTED').attributes[ATTR.actor], OPERATOR);
    exporter.reset();
    // A service's own step names no operator.
    await inRequest({ withRoot: true }, () => new RegistryClient('shop', crm).record(TRANSITION.order_id, 'SUBMITTED'));
    assert.deepEqual(sent[1], { actor: 'shop' });
    assert.equal(named('order SUBMITTED').attributes[ATTR.actor], undefined);
  });

  it('without a known root, nests the transition under the active span (no dangling parent)', async () => {
    const { request } = await inRequest({ withRoot: false }, async (root, request) => {
      await tracedTransition('SUBMITTED', async () => ({ transition: TRANSITION, replayed: false }));
      return { root, request };
    });
    const marker = named('order SUBMITTED');
    assert.equal(parentOf(marker), request.spanContext().spanId);
    assert.deepEqual(marker.links, []);
  });

  it('marks a failed transition as an error on its skeleton span', async () => {
    await assert.rejects(
      inRequest({ withRoot: true }, () => tracedTransition('SUBMITTED', async () => Promise.reject(new Error('registry said 409')))),
      /409/,
    );
    const marker = named('order SUBMITTED');
    assert.equal(marker.status.code, 2);
    assert.equal(marker.events[0]?.name, 'exception');
  });

  it('makes the root part of the skeleton when it is stored as the order\'s context, and no other request span', async () => {
    const root = tracer.startSpan('POST /orders');
    const rootCtx = withOrderRoot(trace.setSpan(context.active(), root), root.spanContext().spanId);
    const stored = context.with(setRequestSpan(rootCtx, root), () => captureTraceContext());
    root.end();
    assert.equal(storedTraceId(stored), root.spanContext().traceId);
    assert.match(stored!.baggage ?? '', new RegExp(`orderscope.order_root=${root.spanContext().spanId}`), 'the root travels with the stored context');
    assert.equal(named('POST /orders').attributes[ATTR.skeleton], true);

    // A retried creation continues the order: its request span is not the root.
    const retry = tracer.startSpan('POST /orders', {}, rootCtx);
    context.with(setRequestSpan(trace.setSpan(rootCtx, retry), retry), () => captureTraceContext());
    retry.end();
    assert.equal(spans().filter((s) => s.attributes[ATTR.skeleton] === true).length, 1);
  });
});

describe('the trace id of a stored context', () => {
  const cases: Array<[string, Parameters<typeof storedTraceId>[0], string | null]> = [
    ['a valid traceparent', { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` }, 'a'.repeat(32)],
    ['no context', null, null],
    ['a malformed traceparent', { traceparent: '00-xyz-01' }, null],
  ];
  for (const [what, stored, expected] of cases) it(what, () => assert.equal(storedTraceId(stored), expected));
});
