import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { suppressTracing } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import express from 'express';
import { pino } from 'pino';
import { publicRequestSpan } from '@orderscope/orders';
import { requestLog } from '../src/request-log.js';

/**
 * Each request's log record is written in its trace's context, so the OpenTelemetry log record
 * (sent by the pino instrumentation from the active context) carries the trace, even though the
 * HTTP instrumentation binds a response it does not trace to a context without a span.
 */
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();
const ID = '3f0c1b2a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const records: Array<Record<string, unknown>> = [];

describe('the request log', () => {
  let base = '';
  let close: () => void = () => {};
  before(async () => {
    contextManager.enable();
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(provider);
    const sink = new Writable({ write: (chunk, _e, done) => void (records.push(JSON.parse(String(chunk))), done()) });
    // What the log instrumentation sees when the record is written: the active span's trace.
    const logger = pino({ mixin: () => ({ active_trace: trace.getSpanContext(context.active())?.traceId ?? null }) }, sink);
    const app = express();
    // As the HTTP instrumentation does for a request it leaves to publicRequestSpan.
    app.use((_req, res, next) => {
      context.bind(suppressTracing(ROOT_CONTEXT), res);
      next();
    });
    app.use(requestLog(logger, (path) => path.startsWith('/health')));
    app.use(publicRequestSpan(async () => ({ orderId: ID, trace: null }), () => true));
    app.get('/orders/:orderId', (_req, res) => void res.json({ ok: true }));
    app.get('/fails', (_req, res) => void res.status(503).json({ error: 'unavailable' }));
    app.get('/slow', async (_req, res) => {
      await sleep(2000);
      res.json({ late: true });
    });
    app.get('/health/ready', (_req, res) => void res.json({ status: 'ok' }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  after(async () => {
    close();
    await provider.shutdown();
    context.disable();
    trace.disable();
  });
  beforeEach(() => {
    exporter.reset();
    records.length = 0;
  });

  const cases = [
    { name: 'a request answered', path: `/orders/${ID}?secret=x`, msg: 'request completed', level: 30, status: 200 },
    { name: 'a request that failed', path: '/fails', msg: 'request errored', level: 50, status: 503 },
    { name: 'a client that left first', path: '/slow', msg: 'request aborted', level: 40, status: null },
  ] as const;
  for (const c of cases) {
    it(`writes one record in the request's trace: ${c.name}`, async () => {
      await fetch(`${base}${c.path}`, { signal: AbortSignal.timeout(300) }).catch(() => undefined);
      const deadline = Date.now() + 5000;
      while ((records.length === 0 || exporter.getFinishedSpans().length === 0) && Date.now() < deadline) await sleep(20);
      const [span] = exporter.getFinishedSpans();
      assert.ok(span, 'the request span ended');
      assert.equal(records.length, 1);
      const [record] = records;
      assert.equal(record!.msg, c.msg);
      assert.equal(record!.level, c.level);
      assert.deepEqual(record!.res, { status: c.status });
      assert.deepEqual(record!.req, { method: 'GET', path: c.path.split('?')[0] }, 'no query string');
      assert.equal(record!.active_trace, span.spanContext().traceId, "written in the request span's context");
      assert.equal(record!.order_id, ID);
    });
  }

  it("never writes a credential: the bearer (an order's token, an operator's key) is in neither the record nor the span", async () => {
    const secret = 'order-token-that-must-not-leak-0123456789abc';
    await fetch(`${base}/orders/${ID}`, { headers: { authorization: `Bearer ${secret}` } });
    const deadline = Date.now() + 5000;
    while ((records.length === 0 || exporter.getFinishedSpans().length === 0) && Date.now() < deadline) await sleep(20);
    assert.equal(records.length, 1);
    assert.doesNotMatch(JSON.stringify(records), new RegExp(secret));
    const spans = exporter.getFinishedSpans();
    assert.ok(spans.length > 0);
    for (const span of spans) {
      assert.doesNotMatch(JSON.stringify({ attributes: span.attributes, events: span.events, name: span.name }), new RegExp(secret));
    }
  });

  it('writes nothing for health checks', async () => {
    await fetch(`${base}/health/ready`);
    await sleep(100);
    assert.equal(records.length, 0);
  });
});
