import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { SERVICE_NAMES, storedTraceId } from '@orderscope/orders';
import { telemetryStats } from '@orderscope/platform';
import { TEST_ADMIN_TOKEN, TEST_INTERNAL_TOKEN } from '@orderscope/testkit';
import { send, slowLoris, storedState, registryStatus } from '../src/bad-input.js';
import { ORIGIN, ROWS, tokenOf, WEBHOOK, type Credentials, type Orders } from '../src/bad-input-rows.js';
import { b2bApprovedOrder, b2cOrderWithModel, binaryStl, keepToken, manufactureAndDeliver, modelForm, orderToken, submitB2c } from '../src/flows.js';
import { startSystem, type System } from '../src/system.js';

/**
 * The bad-input matrix (docs/bad-input.md): every endpoint of the four services, field by field.
 * Each row is one wrong request; it must get its 4xx with a JSON error naming the problem, store
 * nothing anywhere (tables, model files, fault settings), leave the orders' statuses as they were,
 * and leave the service healthy. Rows on an order's routes show its order_token, rows on the MES's
 * work orders the system's operator key, unless the credential is what is wrong.
 */

/** Short server timeouts, so that a slow-loris row takes seconds (service-kit's defaults: 10 s and 60 s). */
const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;

let sys: System;
let orders: Orders;
let credentials: Credentials;
before(async () => {
  // Tracing on, as the SDK sets it up (W3C propagators), so that the services' request spans run
  // and answer with traceresponse: what a hostile traceparent must not take over.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(new TracerProvider());
  telemetryStats.enabled = true;
  const timeouts = { SERVER_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), SERVER_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) };
  sys = await startSystem({
    shop: { ...timeouts, UPLOAD_MAX_BYTES: '4096', RUM_ALLOWED_ORIGINS: ORIGIN, RUM_MAX_BYTES: '4096' },
    'mes-api': { ...timeouts, UPLOAD_MAX_BYTES: '4096' },
    mes: timeouts,
    // No stuck-order scan during the run: it would change the rows the matrix compares.
    crm: { ...timeouts, ALERTS_WEBHOOK_TOKEN: WEBHOOK, STUCK_SCAN_INTERVAL_S: '86400' },
  });
  const initiated = keepToken(await sys.request('shop', 'POST', '/orders', { json: { user_id: 'c1' }, token: null }));
  const uploaded = await b2cOrderWithModel(sys, 'c2');
  const placed = await b2cOrderWithModel(sys, 'c3');
  assert.equal((await submitB2c(sys, placed)).status, 200);
  const b2b = keepToken(await sys.request('mes-api', 'POST', '/b2b/orders', { body: modelForm(binaryStl(2), { customer_id: 'acme', quantity: '1', material: 'PLA' }), token: null }));
  const approved = await b2bApprovedOrder(sys);
  const closed = await b2bApprovedOrder(sys);
  await manufactureAndDeliver(sys, closed);
  orders = { initiated, uploaded, placed, b2b, approved, closed, unknown: randomUUID() };
  // An operator an admin made and revoked: their key must open nothing any more.
  const made = await sys.request('mes', 'POST', '/admin/operators', { json: { name: 'revoked' }, token: TEST_ADMIN_TOKEN });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.equal((await sys.request('mes', 'DELETE', `/admin/operators/${made.body.operator_id}`, { token: TEST_ADMIN_TOKEN })).status, 200);
  credentials = { order: orderToken, operator: sys.operator.key, revokedOperator: made.body.operator_key };
});
after(async () => {
  await sys?.stop();
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('the bad-input matrix: every wrong request gets its 4xx, and nothing is stored', () => {
  for (const row of ROWS) {
    it(`${row.service}: ${row.wrong} → ${row.status} ${row.error}`, async () => {
      const statuses = await Promise.all(Object.values(orders).slice(0, 6).map((id) => registryStatus(sys, id)));
      const stored = await storedState(sys);
      const token = tokenOf(row.token, orders, credentials);
      const r = await send(sys, row.service, row.method, row.path(orders), {
        ...(row.body ? { body: row.body(orders) } : {}),
        ...(token ? { token } : {}),
        ...(row.headers ? { headers: row.headers } : {}),
      });
      assert.equal(r.status, row.status, `status: ${r.status} ${r.text.slice(0, 300)}`);
      assert.match(r.contentType, /^application\/json/, `a JSON answer, not ${r.contentType}: ${r.text.slice(0, 200)}`);
      assert.equal(r.body?.error, row.error, r.text.slice(0, 300));
      assert.match(r.body.message, row.names);
      assert.deepEqual(await storedState(sys), stored, 'nothing stored');
      assert.deepEqual(await Promise.all(Object.values(orders).slice(0, 6).map((id) => registryStatus(sys, id))), statuses, 'no status changed');
      assert.equal((await send(sys, row.service, 'GET', '/health/ready')).status, 200, 'still healthy');
    });
  }
});

/** Headers no server should take: too big in one or in sum. Node refuses them before the app (431, closed). */
describe('huge headers get 431', () => {
  const cases = [
    { wrong: 'one header of 20 KiB', headers: { 'x-pad': 'x'.repeat(20 * 1024) } },
    { wrong: '1500 headers, 24 KiB in all', headers: Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`x-h${i}`, 'v'.repeat(8)])) },
    { wrong: 'a traceparent of 32 KiB', headers: { traceparent: `00-${'a'.repeat(32 * 1024)}` } },
  ];
  for (const service of SERVICE_NAMES) {
    for (const c of cases) {
      it(`${service}: ${c.wrong}`, async () => {
        const stored = await storedState(sys);
        const r = await send(sys, service, 'POST', '/orders', { body: { json: { user_id: 'c9' } }, headers: c.headers });
        assert.equal(r.status, 431);
        assert.deepEqual(await storedState(sys), stored, 'nothing stored');
        assert.equal((await send(sys, service, 'GET', '/health/ready')).status, 200);
      });
    }
  }
});

/**
 * A caller's trace headers are never trusted on a public request (publicRequestSpan): whatever it
 * sends, the request succeeds as without them, and the span that answers it (traceresponse) is in
 * the order's own trace — a new one for a new order — never the caller's.
 */
describe('hostile traceparent and baggage change nothing', () => {
  const FORGED = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0';
  const headers: Array<{ wrong: string; headers: (victim: string) => Record<string, string> }> = [
    { wrong: 'a forged valid traceparent', headers: () => ({ traceparent: `00-${FORGED}-00f067aa0ba902b7-01` }) },
    { wrong: 'a malformed traceparent', headers: () => ({ traceparent: `zz-${FORGED}-xyz` }) },
    { wrong: 'traceparent version ff', headers: () => ({ traceparent: `ff-${FORGED}-00f067aa0ba902b7-01` }) },
    { wrong: 'all-zero ids', headers: () => ({ traceparent: `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01` }) },
    { wrong: 'a traceparent of 8 KiB', headers: () => ({ traceparent: `00-${FORGED}-00f067aa0ba902b7-01${'-0'.repeat(4096)}` }) },
    { wrong: 'a tracestate of 8 KiB', headers: () => ({ traceparent: `00-${FORGED}-00f067aa0ba902b7-01`, tracestate: Array.from({ length: 800 }, (_, i) => `k${i}=vvvvv`).join(',') }) },
    { wrong: "baggage naming another order and its root", headers: (victim) => ({ baggage: `order_id=${victim},orderscope.order_root=00f067aa0ba902b7,user_id=mallory` }) },
    { wrong: 'baggage of 1000 entries', headers: () => ({ baggage: Array.from({ length: 1000 }, (_, i) => `k${i}=v`).join(',') }) },
    { wrong: 'malformed baggage', headers: () => ({ baggage: '=;;,%ZZ,==,k=%E0%A4%A,;' }) },
  ];
  const traceOf = (r: { headers: Headers }) => /^00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]$/.exec(r.headers.get('traceresponse') ?? '')?.[1];
  const storedTrace = async (id: string) =>
    (await send(sys, 'crm', 'GET', `/registry/orders/${id}`, { token: TEST_INTERNAL_TOKEN })).body as { trace: { trace_id: string } | null; trace_context: { traceparent: string; baggage?: string } | null };

  for (const h of headers) {
    it(`a new order: ${h.wrong}`, async () => {
      const r = await send(sys, 'shop', 'POST', '/orders', { body: { json: { user_id: 'c-hostile' } }, headers: h.headers(orders.approved) });
      assert.equal(r.status, 201, r.text);
      const own = await storedTrace(r.body.order_id);
      const traceId = traceOf(r);
      assert.ok(traceId, 'a traceresponse');
      assert.notEqual(traceId, FORGED);
      assert.equal(storedTraceId(own.trace_context), traceId, "the order's stored trace is the server's");
      assert.notEqual(traceId, (await storedTrace(orders.approved)).trace?.trace_id, "not the victim's trace");
      assert.match(own.trace_context?.baggage ?? '', new RegExp(`order_id=${r.body.order_id}`), 'its own order id travels with it');
      assert.doesNotMatch(own.trace_context?.baggage ?? '', /mallory|k999/, "none of the caller's baggage is kept");
    });
    // With the credential each route needs (the order's token, the operator's key): the headers are the point.
    for (const [service, path, token] of [
      ['shop', (o: Orders) => `/orders/${o.uploaded}`, () => orderToken(orders.uploaded)],
      ['mes-api', (o: Orders) => `/b2b/orders/${o.b2b}`, () => orderToken(orders.b2b)],
      ['mes', (o: Orders) => `/work-orders/${o.approved}`, () => sys.operator.key],
    ] as const) {
      it(`${service} GET ${path({ uploaded: ':id', b2b: ':id', approved: ':id' } as Orders)}: ${h.wrong}`, async () => {
        const id = path(orders).split('/').pop()!;
        const stored = await storedState(sys);
        const r = await send(sys, service, 'GET', path(orders), { token: token(), headers: h.headers(orders.closed) });
        assert.equal(r.status, 200, r.text);
        assert.equal(traceOf(r), (await storedTrace(id)).trace?.trace_id, "answered in the order's own trace");
        assert.deepEqual(await storedState(sys), stored, 'nothing stored');
      });
    }
  }
});

/**
 * Slow-loris clients: the API server (service-kit's SERVER_HEADERS_TIMEOUT_MS and
 * SERVER_REQUEST_TIMEOUT_MS) answers 408 and closes a connection whose headers, or whose body,
 * never finish — on time, not when the client gives up.
 */
describe('slow-loris clients are cut off', () => {
  // Node looks for overdue requests every headersTimeout / 4 here: allow that and a scheduling margin.
  const slack = HEADERS_TIMEOUT_MS / 4 + 1500;
  for (const service of SERVICE_NAMES) {
    for (const [part, timeout] of [['headers', HEADERS_TIMEOUT_MS], ['body', REQUEST_TIMEOUT_MS]] as const) {
      it(`${service}: ${part} trickled a byte every 200 ms → 408, closed within ${timeout} ms + ${slack} ms`, async () => {
        const stored = await storedState(sys);
        const { closedAfterMs, answer } = await slowLoris(sys.url[service], part, { everyMs: 200, giveUpMs: timeout + 10_000 });
        assert.match(answer, /^HTTP\/1\.1 408/, `answered: ${JSON.stringify(answer.slice(0, 80))}`);
        assert.ok(closedAfterMs >= timeout - 100, `closed after ${closedAfterMs} ms: by the timeout, not before it`);
        assert.ok(closedAfterMs <= timeout + slack, `closed after ${closedAfterMs} ms`);
        assert.deepEqual(await storedState(sys), stored, 'nothing stored');
        assert.equal((await send(sys, service, 'GET', '/health/ready')).status, 200);
      });
    }
  }
});
