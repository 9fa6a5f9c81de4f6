import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, SCREENSHOTS } from './support/browser.js';
import { findOrderTraces, getTrace, isError, orderTrace, tag, type JaegerTrace } from './support/jaeger.js';
import { componentFetch, promQuery } from './support/secure.js';
import { adminApi, eventually, JAEGER_URL, publicApi, root } from './support/stack.js';

/**
 * The customer's side (docs/browser-monitoring.md), in Debian's Chromium: a customer places an
 * order through the storefront; the browser's spans reach Jaeger through the shop's relay and the
 * untrusted pipeline, found by order_id and linked to the order's backend trace; a broken button
 * shows in the RUM metrics while the backend sees nothing; the relay refuses what it must.
 */
const SHOP = 'http://localhost:8081';

/** Each order's token, as the shop answered the page's "start an order": what the test reads the order with. */
const tokens = new Map<string, string>();

/** A customer's visit: start an order, build a box, place it. Returns the order id. */
async function placeOrder(page: Page): Promise<string> {
  await page.goto(`${SHOP}/`);
  const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/orders');
  await page.getByRole('button', { name: 'Start an order' }).click();
  const answer = (await (await created).json()) as { order_id: string; order_token: string };
  tokens.set(answer.order_id, answer.order_token);
  const id = page.locator('#order-id');
  await id.filter({ hasText: /[0-9a-f-]{36}/ }).waitFor();
  const orderId = (await id.textContent())!.trim();
  await page.getByRole('button', { name: 'Use this box' }).click();
  await page.locator('#order-status').filter({ hasText: 'FILE_UPLOADED' }).waitFor();
  await page.getByRole('button', { name: 'Place order' }).click();
  return orderId;
}

/** The storefront's traces of the order whose root is `operation` (a click): polled until `until`. */
const storefrontTraces = async (orderId: string, operation: string, until: (ts: JaegerTrace[]) => boolean) =>
  eventually(`the storefront's "${operation}" of ${orderId} in Jaeger`, 60_000, async () => {
    const tags = encodeURIComponent(JSON.stringify({ order_id: orderId }));
    const res = await componentFetch(`${JAEGER_URL}/api/traces?service=storefront&operation=${encodeURIComponent(operation)}&tags=${tags}&lookback=1h&limit=20`);
    const found = ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [];
    return until(found) ? found : undefined;
  });

describe('the storefront, in a real browser', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
    await adminApi('shop').send('PUT', '/admin/storefront-faults', { json: { brokenButton: false } });
  });
  after(async () => {
    await adminApi('shop').send('DELETE', '/admin/storefront-faults');
    await browser?.close();
  });

  it("a customer's order: the browser's clicks and calls in Jaeger by order_id, linked to the order's backend trace", { timeout: 180_000 }, async (t) => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const orderId = await placeOrder(page);
    await page.locator('#order-price').filter({ hasText: '€' }).waitFor();
    await page.screenshot({ path: resolve(SCREENSHOTS, 'storefront-order.png'), fullPage: true });
    if (process.env.ORDERSCOPE_DOCS_SCREENSHOT) copyFileSync(resolve(SCREENSHOTS, 'storefront-order.png'), resolve(root, 'docs/images/storefront.png'));
    const sessionId = await page.evaluate(() => sessionStorage.getItem('orderscope.session'));
    // The page stays open (following its order) while its batches leave.
    const backend = await orderTrace(orderId, () => true, ['shop'], 60_000);
    const names = (ts: JaegerTrace[]) => ts.flatMap((tr) => tr.spans.map((s) => s.operationName));
    const traces = await storefrontTraces(orderId, 'click place-order', (ts) => names(ts).some((n) => /^(HTTP )?POST$/.test(n)));
    await page.close();
    const spans = traces.flatMap((tr) => tr.spans.map((s) => ({ s, service: tr.processes[s.processID]!.serviceName })));
    t.diagnostic(`storefront spans of the order: ${[...new Set(names(traces))].join(', ')}`);
    assert.ok(spans.every((x) => x.service === 'storefront'), 'every browser span under service storefront');
    assert.ok(spans.every((x) => tag(x.s, 'session.id') === sessionId), 'every span carries the session');
    // Linked, not parented: the "place order" call points at the shop's server span in the order's
    // trace (which the tail sampler may or may not keep whole: the link names it either way).
    const links = spans.flatMap((x) => x.s.references.filter((r) => r.traceID !== x.s.traceID));
    assert.ok(links.some((r) => r.traceID === backend.traceID), `a link into the order's trace ${backend.traceID}: ${JSON.stringify(links)}`);
    assert.ok(!traces.some((tr) => tr.traceID === backend.traceID), "the browser never joins the backend's trace itself");
    // What came before the order (the page's load, the click that started it) is found by the
    // order's id too: its "order joined" span links those traces.
    const [joinedTrace] = await storefrontTraces(orderId, 'order joined', (ts) => ts.length > 0);
    const joined = joinedTrace!.spans.find((s) => s.operationName === 'order joined')!;
    const linked = joined.references.filter((r) => r.traceID !== joined.traceID).map((r) => r.traceID);
    const loads = await eventually('the page load the order joined, in Jaeger', 60_000, async () => {
      const found = (await Promise.all(linked.map(getTrace))).flatMap((tr) => tr?.spans ?? []);
      const load = found.filter((s) => s.operationName === 'documentLoad');
      return load.length > 0 && found.some((s) => s.operationName === 'click start-order') ? load : undefined;
    });
    assert.ok(loads.every((s) => tag(s, 'session.id') === sessionId && tag(s, 'order_id') === undefined), 'the load: this session, before any order');
    const start = (await storefrontTraces(orderId, 'click start-order', (ts) => ts.length > 0))[0]!;
    assert.ok(start.spans.some((s) => /^(HTTP )?POST$/.test(s.operationName)), "the click that created the order carries it, with its call");
  });

  it('a JS error and an unhandled rejection on the page: each a span of the order and the session, an error in the RUM metrics', { timeout: 180_000 }, async () => {
    const count = async (name: string) =>
      Number((await promQuery(`sum(rum_calls_total{span_name="${name}",status_code="STATUS_CODE_ERROR"}) or vector(0)`))[0]?.value[1] ?? 0);
    const before = { error: await count('browser error'), rejection: await count('browser unhandledrejection') };
    const page = await browser.newPage();
    const orderId = await placeOrder(page);
    // A bug outside any click, as a third-party script or a timer would have it.
    await page.evaluate(() => {
      setTimeout(() => { throw new TypeError('orderscope-e2e: a bug in a timer'); });
      void Promise.reject(new RangeError('orderscope-e2e: a promise nobody awaited'));
    });
    const traces = await storefrontTraces(orderId, 'browser error', (ts) => ts.length > 0);
    const rejections = await storefrontTraces(orderId, 'browser unhandledrejection', (ts) => ts.length > 0);
    await page.close();
    const error = traces[0]!.spans[0]!;
    const rejection = rejections[0]!.spans[0]!;
    assert.ok(isError(error) && isError(rejection), 'both marked as errors');
    assert.equal(tag(error, 'error.type'), 'TypeError');
    assert.equal(tag(rejection, 'error.type'), 'RangeError');
    assert.ok(error.logs.some((l) => l.fields.some((f) => f.key === 'exception.message' && String(f.value).includes('a bug in a timer'))), 'the exception rides along');
    await eventually('both in the RUM metrics', 90_000, async () =>
      (await count('browser error')) > before.error && (await count('browser unhandledrejection')) > before.rejection ? true : undefined, 2000);
  });

  it('a slow asset: the page load the customer waited through, seen only by the browser', { timeout: 180_000 }, async () => {
    const slowMs = 2500;
    await adminApi('shop').send('PUT', '/admin/storefront-faults', { json: { slowAssetMs: slowMs } });
    const context = await browser.newContext(); // no cached assets
    try {
      const page = await context.newPage();
      await page.goto(`${SHOP}/`);
      const sessionId = await page.evaluate(() => sessionStorage.getItem('orderscope.session'));
      await page.close(); // pagehide flushes the batch
      const load = await eventually('the slow page load in Jaeger', 60_000, async () => {
        const tags = encodeURIComponent(JSON.stringify({ 'session.id': sessionId }));
        const res = await componentFetch(`${JAEGER_URL}/api/traces?service=storefront&operation=documentLoad&tags=${tags}&lookback=1h`);
        return ((await res.json()) as { data: JaegerTrace[] | null }).data?.[0];
      });
      const root = load.spans.find((s) => s.operationName === 'documentLoad')!;
      assert.ok(root.duration >= slowMs * 1000, `the load took ${root.duration / 1000} ms, the asset alone ${slowMs} ms`);
      const asset = load.spans.find((s) => s.operationName === 'resourceFetch' && /\/assets\//.test(String(tag(s, 'http.url') ?? tag(s, 'url.full'))));
      assert.ok(asset && asset.duration >= slowMs * 1000, `the asset's own fetch shows the wait: ${JSON.stringify(asset?.tags)}`);
    } finally {
      await context.close();
      await adminApi('shop').send('PUT', '/admin/storefront-faults', { json: { slowAssetMs: 0 } });
    }
  });

  it('a broken "place order" button: the JS error reaches the RUM metrics; the backend sees nothing', { timeout: 180_000 }, async () => {
    await adminApi('shop').send('PUT', '/admin/storefront-faults', { json: { brokenButton: true } });
    const page = await browser.newPage();
    const errorsBefore = async () =>
      Number((await promQuery('sum(rum_calls_total{span_name="click place-order",status_code="STATUS_CODE_ERROR"}) or vector(0)'))[0]?.value[1] ?? 0);
    const before = await errorsBefore();
    const orderId = await placeOrder(page);
    await page.locator('#message').filter({ hasText: 'Something went wrong' }).waitFor();
    await page.screenshot({ path: resolve(SCREENSHOTS, 'storefront-broken-button.png'), fullPage: true });
    await page.close();
    await eventually('the broken click in the RUM metrics', 90_000, async () => ((await errorsBefore()) > before ? true : undefined), 2000);
    const traces = await storefrontTraces(orderId, 'click place-order', (ts) => ts.length > 0);
    const click = traces.flatMap((tr) => tr.spans).find((s) => s.operationName === 'click place-order')!;
    assert.equal(tag(click, 'otel.status_code'), 'ERROR');
    // The backend: the order never got further than its model, and no submit ever reached the shop.
    const order = await publicApi('shop').send<{ status: string }>('GET', `/orders/${orderId}`, {
      headers: { authorization: `Bearer ${tokens.get(orderId)}` },
    });
    assert.equal(order.body.status, 'FILE_UPLOADED');
  });
});

/** A POST to the shop's telemetry relay as any client could make it: its own Origin, any body. */
function post(body: string, origin: string | null): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${SHOP}/rum/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const hex = (n: number) => randomBytes(n).toString('hex');
const str = (v: string) => ({ stringValue: v });
/** A span claiming to be the shop's, with backend-looking attributes. */
const forged = (name: string) => JSON.stringify({
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: str('shop') }, { key: 'deployment.environment.name', value: str('production') }] },
    scopeSpans: [{ spans: [{
      traceId: hex(16), spanId: hex(8), name, kind: 2,
      startTimeUnixNano: String(BigInt(Date.now() - 5) * 1_000_000n), endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
      attributes: [
        { key: 'session.id', value: str(name) },
        { key: 'order.skeleton', value: { boolValue: true } },
        { key: 'order.stuck', value: { boolValue: true } },
        { key: 'sampling.policy', value: str('errors') },
        { key: 'enduser.id', value: str('someone') },
      ],
    }] }],
  }],
});

describe('a call that fails only in the browser', () => {
  after(() => adminApi('shop').send('DELETE', '/admin/storefront-faults'));

  it('the page gives up on its call: the customer sees the failure, and the RUM metrics count it', { timeout: 120_000 }, async () => {
    const failed = async () =>
      Number((await promQuery('sum(rum_calls_total{span_name=~"(HTTP )?POST",http_response_status_code="0"}) or vector(0)'))[0]?.value[1] ?? 0);
    const before = await failed();
    await adminApi('shop').send('PUT', '/admin/storefront-faults', { json: { abortCalls: true } });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${SHOP}/`);
      await page.getByRole('button', { name: 'Start an order' }).click();
      await page.locator('#message').filter({ hasText: 'Something went wrong' }).waitFor();
      await eventually('the aborted call in the RUM metrics', 90_000, async () => ((await failed()) > before ? true : undefined), 2000);
      await page.close();
    } finally {
      await browser.close();
    }
  });
});

describe("the storefront's telemetry door refuses what it must", () => {
  it('a foreign Origin (403), no Origin (403), an oversized payload (413), not OTLP (400)', async () => {
    const ok = forged(`probe-${hex(4)}`);
    assert.equal((await post(ok, 'https://evil.example')).status, 403);
    assert.equal((await post(ok, null)).status, 403);
    assert.equal((await post(JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(200_000) }), SHOP)).status, 413);
    const notOtlp = await post(JSON.stringify({ hello: 'world' }), SHOP);
    assert.equal(notOtlp.status, 400);
    assert.match(notOtlp.body, /resourceSpans/);
  });

  it('a forged service.name and backend-looking attributes do not survive the untrusted pipeline', { timeout: 90_000 }, async () => {
    const name = `forged-${hex(4)}`;
    assert.equal((await post(forged(name), SHOP)).status, 200);
    const span = await eventually('the forged span in Jaeger', 60_000, async () => {
      const tags = encodeURIComponent(JSON.stringify({ 'session.id': name }));
      const res = await componentFetch(`${JAEGER_URL}/api/traces?service=storefront&tags=${tags}&lookback=1h`);
      const found = ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [];
      const tr = found[0];
      return tr ? { s: tr.spans[0]!, service: tr.processes[tr.spans[0]!.processID]!.serviceName, process: tr.processes[tr.spans[0]!.processID]! } : undefined;
    });
    assert.equal(span.service, 'storefront', 'service.name forced');
    assert.ok(!span.process.tags.some((t) => t.key === 'deployment.environment.name'), 'the resource is replaced whole');
    for (const key of ['order.skeleton', 'order.stuck', 'sampling.policy', 'enduser.id']) assert.equal(tag(span.s, key), undefined, `${key} dropped`);
    const asShop = await findOrderTraces('shop', name);
    assert.equal(asShop.length, 0);
  });

  it('a flood from one client: 429 once it is over its rate', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++) statuses.push((await post(JSON.stringify({ resourceSpans: [] }), SHOP)).status);
    assert.ok(statuses.includes(429), `statuses: ${[...new Set(statuses)].join(', ')}`);
    assert.ok(statuses.slice(0, 5).every((s) => s === 200), 'the first ones pass');
  });
});
