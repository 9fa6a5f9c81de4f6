import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ServiceClient } from '../src/index.js';

/**
 * The spans of a call as the trace shows it: one CLIENT span per attempt, under the caller's span,
 * each sending its own traceparent; the attempt that ends the call carries the call's counts.
 */
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
type Behaviour = 'ok' | 'fail' | 'hang';

const cases: Array<{
  name: string;
  retries: number;
  script: Behaviour[];
  /** Per attempt span: resend_count, status code, and the call's counts where it ends the call. */
  spans: Array<{ resend?: number; status?: number; error: boolean; timeout?: true; call?: { retry: number; attempts: number; timedOut: number } }>;
}> = [
  { name: 'a first-try success', retries: 3, script: ['ok'], spans: [{ status: 200, error: false, call: { retry: 0, attempts: 1, timedOut: 0 } }] },
  {
    name: 'two 500s, then a success',
    retries: 3,
    script: ['fail', 'fail', 'ok'],
    spans: [
      { status: 500, error: true },
      { resend: 1, status: 500, error: true },
      { resend: 2, status: 200, error: false, call: { retry: 2, attempts: 3, timedOut: 0 } },
    ],
  },
  {
    name: 'a 500 on every attempt (the call gives up)',
    retries: 1,
    script: ['fail', 'fail'],
    spans: [
      { status: 500, error: true },
      { resend: 1, status: 500, error: true, call: { retry: 1, attempts: 2, timedOut: 0 } },
    ],
  },
  {
    name: 'a timeout, then a success',
    retries: 2,
    script: ['hang', 'ok'],
    spans: [
      { error: true, timeout: true },
      { resend: 1, status: 200, error: false, call: { retry: 1, attempts: 2, timedOut: 1 } },
    ],
  },
  {
    name: 'a timeout on every attempt',
    retries: 0,
    script: ['hang'],
    spans: [{ error: true, timeout: true, call: { retry: 0, attempts: 1, timedOut: 1 } }],
  },
];

describe('ServiceClient spans', () => {
  let baseUrl = '';
  let script: Behaviour[] = [];
  const traceparents: string[] = [];
  const server = createServer((req, res: ServerResponse) => {
    traceparents.push(String(req.headers.traceparent));
    const next = script.shift() ?? 'ok';
    if (next === 'hang') return;
    res.writeHead(next === 'ok' ? 200 : 500, { 'content-type': 'application/json' }).end('{}');
  });
  before(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  for (const c of cases) {
    it(`traces ${c.name} as its attempts`, async () => {
      exporter.reset();
      traceparents.length = 0;
      script = [...c.script];
      const client = new ServiceClient({ target: 'callee', baseUrl, timeoutMs: 100, retries: c.retries, backoffMs: 5 });
      const parent = trace.getTracer('test').startSpan('caller');
      await context.with(trace.setSpan(context.active(), parent), () => client.call('PUT', '/orders/3f0c1b2a-4d5e-4f60-8a7b-9c0d1e2f3a4b').catch(() => undefined));
      parent.end();

      const spans = exporter.getFinishedSpans().filter((s) => s.name !== 'caller');
      assert.deepEqual(spans.map((s) => s.name), c.spans.map(() => 'PUT /orders/:id'), 'one span per attempt, nothing else');
      spans.forEach((s, i) => {
        const want = c.spans[i]!;
        const a = s.attributes;
        assert.equal(s.kind, SpanKind.CLIENT);
        assert.equal(s.parentSpanContext?.spanId, parent.spanContext().spanId, 'under the caller');
        assert.equal(traceparents[i]?.split('-')[2], s.spanContext().spanId, 'the callee continues this attempt');
        assert.equal(a['peer.service'], 'callee');
        assert.equal(a['timeout.budget_ms'], 100);
        assert.equal(a['http.request.resend_count'], want.resend);
        assert.equal(a['http.response.status_code'], want.status);
        assert.equal(s.status.code === SpanStatusCode.ERROR, want.error);
        assert.equal(a['timeout'], want.timeout);
        assert.equal(a['retry.count'], want.call?.retry);
        assert.equal(a['http.request.attempts'], want.call?.attempts);
        assert.equal(a['timeout.attempts'], want.call?.timedOut);
      });
    });
  }
});
