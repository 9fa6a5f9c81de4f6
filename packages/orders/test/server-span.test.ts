import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import express from 'express';
import { matchedRouteMiddleware } from '@orderscope/platform';
import { publicRequestSpan } from '../src/index.js';

/**
 * The public request's SERVER span is named by its route, never by its path: an order id in a
 * span name would make every span-metrics series new (span_name is one of their dimensions).
 */
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();
const ID = '3f0c1b2a-4d5e-4f60-8a7b-9c0d1e2f3a4b';

describe('the public request span', () => {
  let base = '';
  let close: () => void = () => {};
  before(async () => {
    contextManager.enable();
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(provider);
    const app = express();
    app.use(matchedRouteMiddleware());
    app.use(publicRequestSpan(async () => null, () => true));
    app.get('/orders/:orderId', (_req, res) => void res.json({ ok: true }));
    app.post('/orders/:orderId/submit', async () => {
      throw new Error('boom');
    });
    app.post('/orders/:orderId/slow', async (_req, res) => {
      await sleep(2000);
      res.json({ late: true });
    });
    app.use((_req, res) => void res.status(404).json({ error: 'not_found' }));
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).json({ error: 'internal' }));
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
  beforeEach(() => exporter.reset());

  const cases = [
    { name: 'a matched route', method: 'GET', path: `/orders/${ID}`, span: 'GET /orders/:orderId', status: 200 },
    { name: 'a route that fails', method: 'POST', path: `/orders/${ID}/submit`, span: 'POST /orders/:orderId/submit', status: 500 },
    { name: 'no route at all', method: 'GET', path: `/nowhere/${ID}`, span: 'GET', status: 404 },
    { name: 'a client that gives up first', method: 'POST', path: `/orders/${ID}/slow`, span: 'POST /orders/:orderId/slow', status: undefined },
  ] as const;
  for (const c of cases) {
    it(`names the span by route, not path: ${c.name}`, async () => {
      const res = await fetch(`${base}${c.path}`, { method: c.method, signal: AbortSignal.timeout(300) }).catch(() => undefined);
      assert.equal(res?.status, c.status);
      const deadline = Date.now() + 5000;
      while (exporter.getFinishedSpans().length === 0 && Date.now() < deadline) await sleep(20);
      const [span] = exporter.getFinishedSpans();
      assert.ok(span, 'the span ended');
      assert.equal(span.name, c.span);
      assert.ok(!span.name.includes(ID), 'no id in the name');
      assert.equal(span.attributes['url.path'], c.path, 'the path stays an attribute');
    });
  }
});
