import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { NextFunction, Request, Response } from 'express';
import { matchedRoute, matchedRouteMiddleware } from '../src/http/route.js';

/**
 * The route that matched a request, as the metrics read it and as the real HTTP instrumentation
 * names its server span by it (http.route), with no Express instrumentation installed.
 */
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();
const ID = '3f0c1b2a-4d5e-4f60-8a7b-9c0d1e2f3a4b';

describe('matchedRouteMiddleware', () => {
  let base = '';
  let close: () => void = () => {};
  const seen: (string | undefined)[] = [];
  before(async () => {
    contextManager.enable();
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(provider);
    registerInstrumentations({ instrumentations: [new HttpInstrumentation({ ignoreOutgoingRequestHook: () => true })] });
    // Loaded after the instrumentation, as the services' preloaded SDK has it: Express's
    // require('node:http') is where the instrumentation patches the server.
    const { default: express } = await import('express');
    const app = express();
    app.use(matchedRouteMiddleware());
    app.use((req, res, next) => {
      res.once('close', () => seen.push(matchedRoute(req as Request)));
      next();
    });
    app.get('/orders/:orderId', (_req, res) => void res.json({ ok: true }));
    app.get(['/a/:x', '/b/:x'], (_req, res) => void res.json({ ok: true }));
    const admin = express.Router();
    admin.put('/:name', (_req, res) => void res.json({ ok: true }));
    admin.post('/:name/fail', () => {
      throw new Error('boom');
    });
    app.use('/admin/faults', admin);
    app.use((_req, res) => void res.status(404).json({ error: 'not_found' }));
    app.use((_err: unknown, _req: Request, res: Response, _next: NextFunction) => void res.status(500).json({ error: 'internal' }));
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
    seen.length = 0;
  });

  const cases = [
    { name: 'a route with a parameter', method: 'GET', path: `/orders/${ID}`, route: '/orders/:orderId', status: 200 },
    { name: 'a route with two paths', method: 'GET', path: '/b/1', route: '/a/:x|/b/:x', status: 200 },
    { name: 'a route in a mounted router', method: 'PUT', path: '/admin/faults/slow', route: '/admin/faults/:name', status: 200 },
    { name: 'a mounted route that throws', method: 'POST', path: '/admin/faults/slow/fail', route: '/admin/faults/:name/fail', status: 500 },
    { name: 'no route', method: 'GET', path: `/nowhere/${ID}`, route: undefined, status: 404 },
  ] as const;
  for (const c of cases) {
    it(`records the pattern, never the path: ${c.name}`, async () => {
      const res = await fetch(`${base}${c.path}`, { method: c.method });
      assert.equal(res.status, c.status);
      const deadline = Date.now() + 2000;
      while (exporter.getFinishedSpans().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(seen, [c.route]);
      const [span, ...more] = exporter.getFinishedSpans();
      assert.equal(more.length, 0, 'one span per request: no layer spans');
      assert.equal(span?.attributes['http.route'], c.route);
      assert.equal(span?.name, c.route ? `${c.method} ${c.route}` : c.method);
    });
  }
});
