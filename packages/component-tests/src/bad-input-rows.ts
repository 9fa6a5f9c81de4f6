import { randomUUID } from 'node:crypto';
import { writeBinaryStl, type ServiceName } from '@orderscope/orders';
import { binaryStl, modelForm, TEST_ADMIN_TOKEN, TEST_INTERNAL_TOKEN } from '@orderscope/testkit';
import type { Body } from './bad-input.js';

/**
 * The rows of the bad-input matrix (test/bad-input-matrix.test.ts, docs/bad-input.md): one wrong
 * request each, and the answer it must get.
 */

/** Orders in the states the rows need, made once. */
export interface Orders {
  initiated: string; // B2C, no model yet
  uploaded: string; // B2C with a model (FILE_UPLOADED)
  placed: string; // B2C placed and approved (MANUFACTURING_APPROVED)
  b2b: string; // B2B uploaded, not submitted (FILE_UPLOADED)
  approved: string; // B2B approved, queued in the MES
  closed: string; // B2B delivered (CLOSED)
  unknown: string; // a well-formed id of no order
}

/** The credentials a row may show, known once the system runs (the test's `before`). */
export interface Credentials {
  /** The order_token its creation answered (flows.ts, orderToken). */
  order(orderId: string): string;
  /** The system's operator's key (System.operator). */
  operator: string;
  /** The key of an operator an admin revoked. */
  revokedOperator: string;
}

/** A bearer token: a fixed one, or one of the running system's. */
export type Token = string | ((o: Orders, c: Credentials) => string);

/** The token as the row sends it. */
export const tokenOf = (token: Token | undefined, o: Orders, c: Credentials): string | undefined =>
  typeof token === 'function' ? token(o, c) : token;

export interface Row {
  readonly service: ServiceName;
  readonly method: string;
  readonly path: (o: Orders) => string;
  /** What is wrong with the request. */
  readonly wrong: string;
  readonly body?: (o: Orders) => Body;
  /** The bearer token sent (none when absent). */
  readonly token?: Token;
  readonly headers?: Record<string, string>;
  readonly status: number;
  /** The JSON error's code. */
  readonly error: string;
  /** What its message must say: the field, or the problem. */
  readonly names: RegExp;
}

const INTERNAL = TEST_INTERNAL_TOKEN;
const ADMIN = TEST_ADMIN_TOKEN;
export const WEBHOOK = 'test-alerts-webhook-token-0123456789';
export const ORIGIN = 'http://storefront.test';
const NUL = 'acme\u0000gmbh';
const LONE = 'acme\ud800';
/** The order_token of one of the orders: what its customer holds. */
const own = (k: Exclude<keyof Orders, 'unknown'>): Token => (o, c) => c.order(o[k]);
const OPERATOR: Token = (_o, c) => c.operator;
const REVOKED: Token = (_o, c) => c.revokedOperator;
/** Every order id as ":id": the paths in the rows' names. */
const IDS = new Proxy({}, { get: () => ':id' }) as Orders;
const json = (j: unknown) => () => ({ json: j }) as Body;
const raw = (r: string | Buffer, type?: string, encoding?: string) => () => ({ raw: r, ...(type ? { type } : {}), ...(encoding ? { encoding } : {}) }) as Body;
const form = (f: () => FormData) => () => ({ form: f() }) as Body;
/** A model whose bounding box is 2·10^30 mm: a valid STL no printer (nor a bigint price) holds. */
const hugeModel = () => writeBinaryStl([[[-1e30, 0, 0], [1e30, 1e30, 0], [0, 0, 1e30]]], 'too big');
const alert = (over: Record<string, unknown> = {}) => ({
  version: '4',
  status: 'firing',
  receiver: 'crm',
  alerts: [{ status: 'firing', labels: { alertname: 'OrderStuck' }, annotations: {}, startsAt: '2026-01-01T00:00:00Z', fingerprint: 'abc123', ...over }],
});
const delivery = (o: Orders, over: Record<string, unknown> = {}) => ({ order_id: o.approved, tracking_number: 'TRK-1', ...over });
const priceBody = { quantity: 2, material: 'PLA', model: { triangles: 4, size: [10, 10, 10] } };

/** Malformed bodies, the same for every JSON endpoint: one public and one internal of each service. */
function bodyRows(service: ServiceName, method: string, path: (o: Orders) => string, token?: Token): Row[] {
  const at = { service, method, path, ...(token ? { token } : {}) };
  return [
    { ...at, wrong: 'malformed JSON', body: raw('{"a":', 'application/json'), status: 400, error: 'bad_request', names: /not valid JSON/ },
    { ...at, wrong: 'a JSON scalar, not an object', body: raw('42', 'application/json'), status: 400, error: 'bad_request', names: /not valid JSON/ },
    { ...at, wrong: 'invalid UTF-8 bytes', body: raw(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'application/json'), status: 400, error: 'bad_request', names: /UTF-8/ },
    { ...at, wrong: 'a body over 64 KiB', body: json({ pad: 'x'.repeat(70_000) }), status: 413, error: 'payload_too_large', names: /too large/ },
    { ...at, wrong: 'content-type text/plain', body: raw('{}', 'text/plain'), status: 415, error: 'unsupported_media_type', names: /text\/plain/ },
    { ...at, wrong: 'a body without content-type', body: raw('{}'), status: 415, error: 'unsupported_media_type', names: /\(none\)/ },
    { ...at, wrong: 'form-urlencoded', body: raw('a=1', 'application/x-www-form-urlencoded'), status: 415, error: 'unsupported_media_type', names: /urlencoded/ },
    { ...at, wrong: 'an unsupported charset', body: raw('{}', 'application/json; charset=latin2'), status: 415, error: 'unsupported_media_type', names: /charset/ },
    { ...at, wrong: 'an unknown content-encoding', body: raw('{}', 'application/json', 'zstd-ish'), status: 415, error: 'unsupported_media_type', names: /encoding/ },
    { ...at, wrong: 'gzip that is not gzip', body: raw('{}', 'application/json', 'gzip'), status: 400, error: 'bad_request', names: /header/ },
  ].map((r) => ({ ...r, wrong: `${r.wrong} (${method} ${path(IDS)})` }));
}

/**
 * The order_token check of one order route, for a caller without the token: none, another
 * order's, the internal token (a service's token opens no order), a made-up one.
 */
function orderTokenRows(service: ServiceName, method: string, path: (o: Orders) => string): Row[] {
  const at = { service, method, path };
  const invalid = { status: 403, error: 'order_token_invalid', names: /not an order_token of order/ } as const;
  return [
    { ...at, wrong: 'no token', status: 401, error: 'order_token_required', names: /order_token is required: Authorization: Bearer <order_token>/ },
    { ...at, wrong: "another order's token", token: own('initiated'), ...invalid },
    { ...at, wrong: 'the internal token', token: INTERNAL, ...invalid },
    { ...at, wrong: 'a made-up token', token: 'x'.repeat(43), ...invalid },
  ].map((r) => ({ ...r, wrong: `${r.wrong} (${method} ${path(IDS)})` }));
}

export const ROWS: Row[] = [
  // --- shop: the B2C customer's API -------------------------------------------------------------
  ...bodyRows('shop', 'POST', () => '/orders'),
  ...bodyRows('shop', 'PUT', (o) => `/internal/orders/${o.unknown}/notifications/ORDER_CONFIRMED`, INTERNAL),
  { service: 'shop', method: 'POST', path: () => '/orders', wrong: 'a JSON array', body: json([]), status: 400, error: 'bad_request', names: /\(body\)/ },
  { service: 'shop', method: 'POST', path: () => '/orders', wrong: 'user_id missing', body: json({}), status: 400, error: 'bad_request', names: /user_id/ },
  { service: 'shop', method: 'POST', path: () => '/orders', wrong: 'user_id a number', body: json({ user_id: 42 }), status: 400, error: 'bad_request', names: /user_id/ },
  { service: 'shop', method: 'POST', path: () => '/orders', wrong: 'user_id empty', body: json({ user_id: '' }), status: 400, error: 'bad_request', names: /user_id/ },
  { service: 'shop', method: 'POST', path: () => '/orders', wrong: 'user_id 129 characters', body: json({ user_id: 'u'.repeat(129) }), status: 400, error: 'bad_request', names: /user_id/ },
  { service: 'shop', method: 'POST', path: () => '/orders', wrong: 'user_id with a NUL', body: json({ user_id: NUL }), status: 400, error: 'bad_request', names: /user_id: the value contains U\+0000/ },
  { service: 'shop', method: 'POST', path: () => '/orders', wrong: 'user_id with a lone surrogate', body: json({ user_id: LONE }), status: 400, error: 'bad_request', names: /user_id: the value contains a lone UTF-16 surrogate/ },
  { service: 'shop', method: 'POST', path: () => '/orders', wrong: 'user_id an object', body: json({ user_id: { $ne: null } }), status: 400, error: 'bad_request', names: /user_id/ },
  { service: 'shop', method: 'POST', path: () => '/orders', wrong: 'Idempotency-Key too short', body: json({ user_id: 'c1' }), headers: { 'idempotency-key': 'abc' }, status: 400, error: 'bad_request', names: /idempotency-key/ },
  { service: 'shop', method: 'POST', path: () => '/orders', wrong: 'Idempotency-Key of 129 characters', body: json({ user_id: 'c1' }), headers: { 'idempotency-key': 'k'.repeat(129) }, status: 400, error: 'bad_request', names: /idempotency-key/ },
  { service: 'shop', method: 'GET', path: () => '/orders/not-a-uuid', wrong: 'a malformed order id, with a token', token: own('uploaded'), status: 400, error: 'bad_request', names: /orderId/ },
  { service: 'shop', method: 'GET', path: () => '/orders/%00', wrong: 'an order id of one NUL, with a token', token: own('uploaded'), status: 400, error: 'bad_request', names: /orderId/ },
  { service: 'shop', method: 'GET', path: () => '/orders/%E0%A4%A', wrong: 'an id that is not valid percent-encoding, with a token', token: own('uploaded'), status: 400, error: 'bad_request', names: /decode/ },
  { service: 'shop', method: 'GET', path: (o) => `/orders/${o.unknown}`, wrong: 'an unknown order, with another order\'s token', token: own('uploaded'), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'shop', method: 'GET', path: () => '/orders/x/notifications', wrong: 'a malformed id (notifications), with a token', token: own('uploaded'), status: 400, error: 'bad_request', names: /orderId/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.unknown}/model`, wrong: 'a model for an unknown order, with another order\'s token', token: own('initiated'), body: form(() => modelForm()), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model`, wrong: 'no file', token: own('initiated'), body: form(() => new FormData()), status: 400, error: 'bad_request', names: /field "model"/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model`, wrong: 'a file that is no STL', token: own('initiated'), body: form(() => modelForm(Buffer.from('hello'))), status: 400, error: 'bad_request', names: /not an STL/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model`, wrong: 'a model over UPLOAD_MAX_BYTES', token: own('initiated'), body: form(() => modelForm(binaryStl(200))), status: 413, error: 'payload_too_large', names: /size limit/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model`, wrong: 'a model 2·10^30 mm wide', token: own('initiated'), body: form(() => modelForm(hugeModel())), status: 400, error: 'bad_request', names: /mm/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model`, wrong: 'the file in another field', token: own('initiated'), body: form(() => { const f = new FormData(); f.append('file', new Blob([new Uint8Array(binaryStl(2))]), 'a.stl'); return f; }), status: 400, error: 'bad_request', names: /Unexpected field/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model`, wrong: 'two files', token: own('initiated'), body: form(() => { const f = modelForm(); f.append('model', new Blob([new Uint8Array(binaryStl(2))]), 'b.stl'); return f; }), status: 400, error: 'bad_request', names: /upload rejected/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model`, wrong: '21 form fields', token: own('initiated'), body: form(() => modelForm(binaryStl(2), Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f${i}`, 'x'])))), status: 400, error: 'bad_request', names: /Too many fields/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model`, wrong: 'multipart that is not multipart', token: own('initiated'), body: raw('garbage', 'multipart/form-data; boundary=xyz'), status: 400, error: 'bad_request', names: /upload rejected/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model`, wrong: 'multipart without a boundary', token: own('initiated'), body: raw('garbage', 'multipart/form-data'), status: 400, error: 'bad_request', names: /upload rejected/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.placed}/model`, wrong: 'a new model for a placed order', token: own('placed'), body: form(() => modelForm()), status: 409, error: 'order_placed', names: /placed/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model/constructor`, wrong: 'shape not box', token: own('initiated'), body: json({ shape: 'sphere', size_mm: [1, 1, 1] }), status: 400, error: 'bad_request', names: /shape/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model/constructor`, wrong: 'a zero size', token: own('initiated'), body: json({ shape: 'box', size_mm: [0, 1, 1] }), status: 400, error: 'bad_request', names: /size_mm\.0/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model/constructor`, wrong: 'two sizes', token: own('initiated'), body: json({ shape: 'box', size_mm: [1, 1] }), status: 400, error: 'bad_request', names: /size_mm/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model/constructor`, wrong: 'a size as a string', token: own('initiated'), body: json({ shape: 'box', size_mm: ['1', 1, 1] }), status: 400, error: 'bad_request', names: /size_mm\.0/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model/constructor`, wrong: 'a size over 1000 mm', token: own('initiated'), body: json({ shape: 'box', size_mm: [1, 1e300, 1] }), status: 400, error: 'bad_request', names: /size_mm\.1/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.unknown}/model/constructor`, wrong: 'an unknown order (constructor), with another order\'s token', token: own('initiated'), body: json({ shape: 'box', size_mm: [1, 1, 1] }), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'shop', method: 'POST', path: (o) => `/orders/${o.initiated}/submit`, wrong: 'placing an order without a model', token: own('initiated'), body: json({ quantity: 1, material: 'PLA' }), status: 409, error: 'out_of_order', names: /no model/ },
  { service: 'shop', method: 'POST', path: (o) => `/orders/${o.uploaded}/submit`, wrong: 'quantity 0', token: own('uploaded'), body: json({ quantity: 0, material: 'PLA' }), status: 400, error: 'bad_request', names: /quantity/ },
  { service: 'shop', method: 'POST', path: (o) => `/orders/${o.uploaded}/submit`, wrong: 'quantity 1.5', token: own('uploaded'), body: json({ quantity: 1.5, material: 'PLA' }), status: 400, error: 'bad_request', names: /quantity/ },
  { service: 'shop', method: 'POST', path: (o) => `/orders/${o.uploaded}/submit`, wrong: 'quantity as a string', token: own('uploaded'), body: json({ quantity: '3', material: 'PLA' }), status: 400, error: 'bad_request', names: /quantity/ },
  { service: 'shop', method: 'POST', path: (o) => `/orders/${o.uploaded}/submit`, wrong: 'quantity 10^21', token: own('uploaded'), body: raw('{"quantity":1e21,"material":"PLA"}', 'application/json'), status: 400, error: 'bad_request', names: /quantity/ },
  { service: 'shop', method: 'POST', path: (o) => `/orders/${o.uploaded}/submit`, wrong: 'an unknown material', token: own('uploaded'), body: json({ quantity: 1, material: 'GOLD' }), status: 400, error: 'bad_request', names: /material/ },
  { service: 'shop', method: 'POST', path: (o) => `/orders/${o.uploaded}/submit`, wrong: 'a material in lower case', token: own('uploaded'), body: json({ quantity: 1, material: 'pla' }), status: 400, error: 'bad_request', names: /material/ },
  { service: 'shop', method: 'POST', path: (o) => `/orders/${o.unknown}/submit`, wrong: 'placing an unknown order, with another order\'s token', token: own('uploaded'), body: json({ quantity: 1, material: 'PLA' }), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'shop', method: 'PUT', path: (o) => `/internal/orders/${o.placed}/notifications/ORDER_CONFIRMED`, wrong: 'a notification without the internal token', body: json({ channel: 'b2c' }), status: 401, error: 'unauthorized', names: /bearer/ },
  { service: 'shop', method: 'PUT', path: (o) => `/internal/orders/${o.placed}/notifications/ORDER_LOST`, wrong: 'an unknown event', token: INTERNAL, body: json({ channel: 'b2c' }), status: 400, error: 'bad_request', names: /event/ },
  { service: 'shop', method: 'PUT', path: (o) => `/internal/orders/${o.placed}/notifications/ORDER_CONFIRMED`, wrong: 'an unknown channel', token: INTERNAL, body: json({ channel: 'b3b' }), status: 400, error: 'bad_request', names: /channel/ },
  { service: 'shop', method: 'PUT', path: () => '/admin/storefront-faults', wrong: 'storefront faults without the admin token', token: INTERNAL, body: json({ brokenButton: true }), status: 401, error: 'unauthorized', names: /bearer/ },
  { service: 'shop', method: 'PUT', path: () => '/admin/storefront-faults', wrong: 'a negative delay', token: ADMIN, body: json({ slowAssetMs: -1 }), status: 400, error: 'bad_request', names: /slowAssetMs/ },
  { service: 'shop', method: 'PUT', path: () => '/admin/storefront-faults', wrong: 'an unknown fault', token: ADMIN, body: json({ bogus: true }), status: 400, error: 'bad_request', names: /bogus/ },
  { service: 'shop', method: 'PUT', path: () => '/admin/faults', wrong: 'an error rate of 2', token: ADMIN, body: json({ errorRate: 2 }), status: 400, error: 'bad_request', names: /errorRate/ },
  // The storefront's telemetry door (rum-relay.ts): checked before anything is relayed.
  { service: 'shop', method: 'POST', path: () => '/rum/v1/traces', wrong: 'telemetry without an Origin', body: json({ resourceSpans: [] }), status: 403, error: 'forbidden_origin', names: /\(none\)/ },
  { service: 'shop', method: 'POST', path: () => '/rum/v1/traces', wrong: 'telemetry from another origin', headers: { origin: 'https://evil.example' }, body: json({ resourceSpans: [] }), status: 403, error: 'forbidden_origin', names: /evil/ },
  { service: 'shop', method: 'POST', path: () => '/rum/v1/traces', wrong: 'telemetry that is not OTLP', headers: { origin: ORIGIN }, body: json({ spans: [] }), status: 400, error: 'bad_request', names: /resourceSpans/ },
  { service: 'shop', method: 'POST', path: () => '/rum/v1/traces', wrong: 'telemetry as protobuf', headers: { origin: ORIGIN }, body: raw(Buffer.from([0x0a, 0x02, 0x08, 0x01]), 'application/x-protobuf'), status: 415, error: 'unsupported_media_type', names: /protobuf/ },
  { service: 'shop', method: 'POST', path: () => '/rum/v1/traces', wrong: 'telemetry over RUM_MAX_BYTES', headers: { origin: ORIGIN }, body: json({ resourceSpans: [{ pad: 'x'.repeat(5000) }] }), status: 413, error: 'payload_too_large', names: /exceeds/ },

  // --- mes-api: the B2B clients' API and the pricing ---------------------------------------------
  ...bodyRows('mes-api', 'POST', (o) => `/internal/orders/${o.unknown}/price`, INTERNAL),
  { service: 'mes-api', method: 'POST', path: () => '/b2b/orders', wrong: 'customer_id missing', body: form(() => modelForm(binaryStl(2), { quantity: '1', material: 'PLA' })), status: 400, error: 'bad_request', names: /customer_id/ },
  { service: 'mes-api', method: 'POST', path: () => '/b2b/orders', wrong: 'customer_id with a NUL', body: form(() => modelForm(binaryStl(2), { customer_id: NUL, quantity: '1', material: 'PLA' })), status: 400, error: 'bad_request', names: /customer_id: the value contains U\+0000/ },
  { service: 'mes-api', method: 'POST', path: () => '/b2b/orders', wrong: 'customer_id of 129 characters', body: form(() => modelForm(binaryStl(2), { customer_id: 'c'.repeat(129), quantity: '1', material: 'PLA' })), status: 400, error: 'bad_request', names: /customer_id/ },
  { service: 'mes-api', method: 'POST', path: () => '/b2b/orders', wrong: 'quantity not a number', body: form(() => modelForm(binaryStl(2), { customer_id: 'acme', quantity: 'many', material: 'PLA' })), status: 400, error: 'bad_request', names: /quantity/ },
  { service: 'mes-api', method: 'POST', path: () => '/b2b/orders', wrong: 'quantity 0 and material GOLD', body: form(() => modelForm(binaryStl(2), { customer_id: 'acme', quantity: '0', material: 'GOLD' })), status: 400, error: 'bad_request', names: /quantity.*material/ },
  { service: 'mes-api', method: 'POST', path: () => '/b2b/orders', wrong: 'no model file', body: form(() => { const f = new FormData(); f.append('customer_id', 'acme'); f.append('quantity', '1'); f.append('material', 'PLA'); return f; }), status: 400, error: 'bad_request', names: /field "model"/ },
  { service: 'mes-api', method: 'POST', path: () => '/b2b/orders', wrong: 'the fields as JSON, no file', body: json({ customer_id: 'acme', quantity: 1, material: 'PLA' }), status: 400, error: 'bad_request', names: /field "model"/ },
  { service: 'mes-api', method: 'POST', path: () => '/b2b/orders', wrong: 'a model 2·10^30 mm wide (B2B)', body: form(() => modelForm(hugeModel(), { customer_id: 'acme', quantity: '1', material: 'PLA' })), status: 400, error: 'bad_request', names: /mm/ },
  { service: 'mes-api', method: 'POST', path: () => '/b2b/orders', wrong: 'a model over UPLOAD_MAX_BYTES (B2B)', body: form(() => modelForm(binaryStl(200), { customer_id: 'acme', quantity: '1', material: 'PLA' })), status: 413, error: 'payload_too_large', names: /size limit/ },
  { service: 'mes-api', method: 'POST', path: () => '/b2b/orders/nope/submit', wrong: 'a malformed id (B2B submit), with a token', token: own('b2b'), status: 400, error: 'bad_request', names: /orderId/ },
  { service: 'mes-api', method: 'POST', path: (o) => `/b2b/orders/${o.unknown}/submit`, wrong: 'submitting an unknown B2B order, with another order\'s token', token: own('b2b'), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'mes-api', method: 'POST', path: (o) => `/b2b/orders/${o.initiated}/submit`, wrong: 'submitting a B2C order as B2B, with its shop order_token', token: own('initiated'), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'mes-api', method: 'GET', path: (o) => `/b2b/orders/${o.unknown}`, wrong: 'an unknown B2B order, with another order\'s token', token: own('b2b'), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'mes-api', method: 'POST', path: (o) => `/internal/orders/${o.uploaded}/price`, wrong: 'pricing without the internal token', body: json(priceBody), status: 401, error: 'unauthorized', names: /bearer/ },
  { service: 'mes-api', method: 'POST', path: (o) => `/internal/orders/${o.uploaded}/price`, wrong: 'pricing without a model', token: INTERNAL, body: json({ quantity: 1, material: 'PLA' }), status: 400, error: 'bad_request', names: /model/ },
  { service: 'mes-api', method: 'POST', path: (o) => `/internal/orders/${o.uploaded}/price`, wrong: 'a negative size', token: INTERNAL, body: json({ ...priceBody, model: { triangles: 4, size: [-1, 1, 1] } }), status: 400, error: 'bad_request', names: /model\.size\.0/ },
  { service: 'mes-api', method: 'POST', path: (o) => `/internal/orders/${o.uploaded}/price`, wrong: 'a size of 10^300 mm', token: INTERNAL, body: json({ ...priceBody, model: { triangles: 4, size: [1e300, 1e300, 1e300] } }), status: 400, error: 'bad_request', names: /model\.size\.0/ },
  { service: 'mes-api', method: 'POST', path: (o) => `/internal/orders/${o.unknown}/price`, wrong: 'pricing an order the registry does not have', token: INTERNAL, body: json(priceBody), status: 404, error: 'not_found', names: /not in the registry/ },
  { service: 'mes-api', method: 'POST', path: (o) => `/internal/orders/${o.initiated}/price`, wrong: 'pricing an order not yet submitted', token: INTERNAL, body: json(priceBody), status: 409, error: 'out_of_order', names: /PRICE_CALCULATED needs the order in SUBMITTED/ },

  // --- mes: the operators' steps and the CRM's hand-off -------------------------------------------
  ...bodyRows('mes', 'POST', (o) => `/work-orders/${o.approved}/ship`, OPERATOR),
  ...bodyRows('mes', 'PUT', (o) => `/internal/work-orders/${o.unknown}`, INTERNAL),
  { service: 'mes', method: 'GET', path: () => '/work-orders?state=lost', wrong: 'an unknown queue state', token: OPERATOR, status: 400, error: 'bad_request', names: /state/ },
  { service: 'mes', method: 'GET', path: () => '/work-orders?limit=0', wrong: 'limit 0', token: OPERATOR, status: 400, error: 'bad_request', names: /limit/ },
  { service: 'mes', method: 'GET', path: () => '/work-orders?limit=ten', wrong: 'limit not a number', token: OPERATOR, status: 400, error: 'bad_request', names: /limit/ },
  { service: 'mes', method: 'GET', path: () => '/work-orders?limit=1&limit=2', wrong: 'limit given twice', token: OPERATOR, status: 400, error: 'bad_request', names: /limit/ },
  { service: 'mes', method: 'GET', path: () => '/work-orders/123', wrong: 'a malformed work order id, with a key', token: OPERATOR, status: 400, error: 'bad_request', names: /orderId/ },
  { service: 'mes', method: 'GET', path: (o) => `/work-orders/${o.unknown}`, wrong: 'an unknown work order', token: OPERATOR, status: 404, error: 'not_found', names: /no work order/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.unknown}/start`, wrong: 'starting an unknown work order', token: OPERATOR, status: 404, error: 'not_found', names: /no work order/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.approved}/complete`, wrong: 'completing before starting', token: OPERATOR, status: 409, error: 'out_of_order', names: /MANUFACTURING_COMPLETED needs the order in MANUFACTURING_STARTED/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.approved}/ship`, wrong: 'shipping before packaging', token: OPERATOR, body: json({ carrier: 'parcel-co', tracking_number: 'T1' }), status: 409, error: 'out_of_order', names: /SHIPPED needs the order in PACKAGING/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.approved}/ship`, wrong: 'an empty carrier', token: OPERATOR, body: json({ carrier: '', tracking_number: 'T1' }), status: 400, error: 'bad_request', names: /carrier/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.approved}/ship`, wrong: 'a tracking number of 65 characters', token: OPERATOR, body: json({ carrier: 'c', tracking_number: 't'.repeat(65) }), status: 400, error: 'bad_request', names: /tracking_number/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.approved}/ship`, wrong: 'a tracking number with a NUL', token: OPERATOR, body: json({ carrier: 'c', tracking_number: NUL }), status: 400, error: 'bad_request', names: /tracking_number: the value contains U\+0000/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.approved}/ship`, wrong: 'a carrier with a lone surrogate', token: OPERATOR, body: json({ carrier: LONE, tracking_number: 'T1' }), status: 400, error: 'bad_request', names: /carrier: the value contains a lone/ },
  { service: 'mes', method: 'PUT', path: (o) => `/internal/work-orders/${o.unknown}`, wrong: 'a hand-off without the internal token', body: json({ quantity: 1, material: 'PLA' }), status: 401, error: 'unauthorized', names: /bearer/ },
  { service: 'mes', method: 'PUT', path: (o) => `/internal/work-orders/${o.unknown}`, wrong: 'a hand-off with a malformed traceparent', token: INTERNAL, body: json({ quantity: 1, material: 'PLA', trace_context: { traceparent: 'zz' } }), status: 400, error: 'bad_request', names: /trace_context\.traceparent/ },
  { service: 'mes', method: 'PUT', path: (o) => `/internal/work-orders/${o.unknown}`, wrong: 'a hand-off with 3000 characters of baggage', token: INTERNAL, body: json({ quantity: 1, material: 'PLA', trace_context: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, baggage: 'b'.repeat(3000) } }), status: 400, error: 'bad_request', names: /trace_context\.baggage/ },
  { service: 'mes', method: 'PUT', path: (o) => `/internal/work-orders/${o.unknown}`, wrong: 'a hand-off with baggage holding a NUL', token: INTERNAL, body: json({ quantity: 1, material: 'PLA', trace_context: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, baggage: NUL } }), status: 400, error: 'bad_request', names: /trace_context\.baggage: the value contains U\+0000/ },

  // --- crm: the registry, approval, closing, incidents ----------------------------------------------
  ...bodyRows('crm', 'POST', () => '/carrier/deliveries', INTERNAL),
  ...bodyRows('crm', 'PUT', (o) => `/internal/registry/orders/${o.unknown}/transitions/INITIATED`, INTERNAL),
  { service: 'crm', method: 'PUT', path: (o) => `/internal/registry/orders/${o.unknown}/transitions/LOST`, wrong: 'an unknown status', token: INTERNAL, body: json({ actor: 'shop' }), status: 400, error: 'bad_request', names: /status/ },
  { service: 'crm', method: 'PUT', path: (o) => `/internal/registry/orders/${o.unknown}/transitions/INITIATED`, wrong: 'an unknown actor', token: INTERNAL, body: json({ actor: 'mallory', channel: 'b2c' }), status: 400, error: 'bad_request', names: /actor/ },
  { service: 'crm', method: 'PUT', path: (o) => `/internal/registry/orders/${o.unknown}/transitions/INITIATED`, wrong: 'a user_id with a NUL', token: INTERNAL, body: json({ actor: 'shop', channel: 'b2c', user_id: NUL }), status: 400, error: 'bad_request', names: /user_id: the value contains U\+0000/ },
  { service: 'crm', method: 'PUT', path: (o) => `/internal/registry/orders/${o.unknown}/transitions/INITIATED`, wrong: 'a creating transition without its channel', token: INTERNAL, body: json({ actor: 'shop' }), status: 404, error: 'not_found', names: /needs its channel/ },
  { service: 'crm', method: 'PUT', path: (o) => `/internal/registry/orders/${o.approved}/transitions/CLOSED`, wrong: 'closing by the wrong service', token: INTERNAL, body: json({ actor: 'mes' }), status: 409, error: 'wrong_owner', names: /set by crm, not mes/ },
  { service: 'crm', method: 'PUT', path: (o) => `/internal/registry/orders/${o.approved}/transitions/SHIPPED`, wrong: 'skipping steps', token: INTERNAL, body: json({ actor: 'mes' }), status: 409, error: 'out_of_order', names: /SHIPPED needs the order in PACKAGING/ },
  { service: 'crm', method: 'PUT', path: (o) => `/internal/registry/orders/${o.b2b}/transitions/SUBMITTED`, wrong: 'a B2C status on a B2B order', token: INTERNAL, body: json({ actor: 'shop' }), status: 409, error: 'not_in_channel', names: /b2b path/ },
  { service: 'crm', method: 'PUT', path: (o) => `/internal/registry/orders/${o.initiated}/transitions/FILE_UPLOADED`, wrong: 'the wrong channel', token: INTERNAL, body: json({ actor: 'shop', channel: 'b2b' }), status: 409, error: 'channel_mismatch', names: /b2c order/ },
  { service: 'crm', method: 'GET', path: () => '/registry/orders/xyz', wrong: 'a malformed id (registry)', token: INTERNAL, status: 400, error: 'bad_request', names: /orderId/ },
  { service: 'crm', method: 'GET', path: (o) => `/registry/orders/${o.unknown}`, wrong: 'an order the registry does not have', token: INTERNAL, status: 404, error: 'not_found', names: /not in the registry/ },
  { service: 'crm', method: 'GET', path: () => '/registry/orders?status=LOST', wrong: 'an unknown status filter', token: INTERNAL, status: 400, error: 'bad_request', names: /status/ },
  { service: 'crm', method: 'GET', path: () => '/registry/orders?stuck=maybe', wrong: 'stuck neither true nor false', token: INTERNAL, status: 400, error: 'bad_request', names: /stuck/ },
  { service: 'crm', method: 'GET', path: () => '/registry/orders?stuck_for_s=-1', wrong: 'a negative stuck_for_s', token: INTERNAL, status: 400, error: 'bad_request', names: /stuck_for_s/ },
  { service: 'crm', method: 'GET', path: () => '/registry/orders?stuck_for_s=1e20', wrong: 'stuck_for_s of 10^20 s', token: INTERNAL, status: 400, error: 'bad_request', names: /stuck_for_s/ },
  { service: 'crm', method: 'GET', path: () => '/registry/orders?limit=1001', wrong: 'limit 1001', token: INTERNAL, status: 400, error: 'bad_request', names: /limit/ },
  { service: 'crm', method: 'POST', path: () => '/internal/registry/stuck-scan?older_than_s=soon', wrong: 'older_than_s not a number', token: INTERNAL, status: 400, error: 'bad_request', names: /older_than_s/ },
  { service: 'crm', method: 'POST', path: (o) => `/internal/orders/${o.unknown}/approve`, wrong: 'approving an order the registry does not have', token: INTERNAL, body: json({ quantity: 1, material: 'PLA', price_cents: 100 }), status: 404, error: 'not_found', names: /not in the registry/ },
  { service: 'crm', method: 'POST', path: (o) => `/internal/orders/${o.uploaded}/approve`, wrong: 'approving an order not yet priced', token: INTERNAL, body: json({ quantity: 1, material: 'PLA', price_cents: 100 }), status: 409, error: 'out_of_order', names: /MANUFACTURING_APPROVED needs the order in PRICE_CALCULATED/ },
  { service: 'crm', method: 'POST', path: (o) => `/internal/orders/${o.uploaded}/approve`, wrong: 'a price beyond 2^53', token: INTERNAL, body: raw('{"quantity":1,"material":"PLA","price_cents":1e20}', 'application/json'), status: 400, error: 'bad_request', names: /price_cents/ },
  { service: 'crm', method: 'POST', path: (o) => `/orders/${o.initiated}/handoff`, wrong: 'a hand-off of an order not approved', token: INTERNAL, status: 409, error: 'not_awaiting_manufacturing', names: /INITIATED/ },
  { service: 'crm', method: 'POST', path: (o) => `/orders/${o.unknown}/handoff`, wrong: 'a hand-off of an unknown order', token: INTERNAL, status: 404, error: 'not_found', names: /not in the registry/ },
  { service: 'crm', method: 'POST', path: () => '/carrier/deliveries', wrong: 'a delivery without the token', body: json({ order_id: randomUUID(), tracking_number: 'T' }), status: 401, error: 'unauthorized', names: /bearer/ },
  { service: 'crm', method: 'POST', path: () => '/carrier/deliveries', wrong: 'a malformed order_id', token: INTERNAL, body: json({ order_id: 'o-1', tracking_number: 'T' }), status: 400, error: 'bad_request', names: /order_id/ },
  { service: 'crm', method: 'POST', path: () => '/carrier/deliveries', wrong: 'no tracking number', token: INTERNAL, body: (o) => ({ json: { order_id: o.approved } }), status: 400, error: 'bad_request', names: /tracking_number/ },
  { service: 'crm', method: 'POST', path: () => '/carrier/deliveries', wrong: 'delivered_at not a time', token: INTERNAL, body: (o) => ({ json: delivery(o, { delivered_at: 'yesterday' }) }), status: 400, error: 'bad_request', names: /delivered_at/ },
  { service: 'crm', method: 'POST', path: () => '/carrier/deliveries', wrong: 'a tracking number with a lone surrogate', token: INTERNAL, body: (o) => ({ json: delivery(o, { tracking_number: LONE }) }), status: 400, error: 'bad_request', names: /tracking_number: the value contains a lone/ },
  { service: 'crm', method: 'POST', path: () => '/carrier/deliveries', wrong: 'a delivery of an unknown order', token: INTERNAL, body: (o) => ({ json: delivery(o, { order_id: o.unknown }) }), status: 404, error: 'not_found', names: /not in the registry/ },
  { service: 'crm', method: 'POST', path: () => '/carrier/deliveries', wrong: 'a delivery of an order not shipped', token: INTERNAL, body: (o) => ({ json: delivery(o) }), status: 409, error: 'out_of_order', names: /CLOSED needs the order in SHIPPED/ },
  { service: 'crm', method: 'POST', path: (o) => `/orders/${o.approved}/close`, wrong: 'a close reason other than manual', token: INTERNAL, body: json({ reason: 'bored' }), status: 400, error: 'bad_request', names: /reason/ },
  { service: 'crm', method: 'POST', path: (o) => `/orders/${o.unknown}/close`, wrong: 'closing an unknown order', token: INTERNAL, status: 404, error: 'not_found', names: /not in the registry/ },
  { service: 'crm', method: 'POST', path: () => '/internal/incidents/alertmanager', wrong: 'an alert with the internal token, not the webhook\'s', token: INTERNAL, body: json(alert()), status: 401, error: 'unauthorized', names: /bearer/ },
  { service: 'crm', method: 'POST', path: () => '/internal/incidents/alertmanager', wrong: 'payload version 3', token: WEBHOOK, body: json({ ...alert(), version: '3' }), status: 400, error: 'bad_request', names: /version/ },
  { service: 'crm', method: 'POST', path: () => '/internal/incidents/alertmanager', wrong: 'no alerts', token: WEBHOOK, body: json({ ...alert(), alerts: [] }), status: 400, error: 'bad_request', names: /alerts/ },
  { service: 'crm', method: 'POST', path: () => '/internal/incidents/alertmanager', wrong: 'an alert without alertname', token: WEBHOOK, body: json(alert({ labels: { severity: 'page' } })), status: 400, error: 'bad_request', names: /alerts\.0\.labels/ },
  { service: 'crm', method: 'POST', path: () => '/internal/incidents/alertmanager', wrong: 'a label value with a NUL', token: WEBHOOK, body: json(alert({ labels: { alertname: 'X', job: NUL } })), status: 400, error: 'bad_request', names: /alerts\.0\.labels\.job: the value contains U\+0000/ },
  { service: 'crm', method: 'POST', path: () => '/internal/incidents/alertmanager', wrong: 'a label name with a NUL', token: WEBHOOK, body: json(alert({ labels: { alertname: 'X', [NUL]: 'v' } })), status: 400, error: 'bad_request', names: /the key contains U\+0000/ },
  { service: 'crm', method: 'POST', path: () => '/internal/incidents/alertmanager', wrong: 'an annotation with a lone surrogate', token: WEBHOOK, body: json(alert({ annotations: { summary: LONE } })), status: 400, error: 'bad_request', names: /alerts\.0\.annotations\.summary: the value contains a lone/ },
  { service: 'crm', method: 'POST', path: () => '/internal/incidents/alertmanager', wrong: 'startsAt not a time', token: WEBHOOK, body: json(alert({ startsAt: 'now' })), status: 400, error: 'bad_request', names: /startsAt/ },
  { service: 'crm', method: 'POST', path: () => '/internal/incidents/alertmanager', wrong: 'a fingerprint of 65 characters', token: WEBHOOK, body: json(alert({ fingerprint: 'f'.repeat(65) })), status: 400, error: 'bad_request', names: /fingerprint/ },
  { service: 'crm', method: 'GET', path: () => '/internal/incidents?alertname=a%00b', wrong: 'an alertname filter with a NUL', token: INTERNAL, status: 400, error: 'bad_request', names: /alertname: the value contains U\+0000/ },
  { service: 'crm', method: 'GET', path: () => `/internal/incidents?alertname=${'a'.repeat(201)}`, wrong: 'an alertname filter of 201 characters', token: INTERNAL, status: 400, error: 'bad_request', names: /alertname/ },
  // --- the credentials: an order's order_token, an operator's key, the admin token -------------------
  // Asked before the route reads its id, body fields or upload (requireOrderToken, requireOperator),
  // so a caller without the credential learns nothing of the order or its fields; only the JSON
  // body parser, which runs before every route, answers a malformed body first.
  ...orderTokenRows('shop', 'GET', (o) => `/orders/${o.uploaded}`),
  ...orderTokenRows('shop', 'GET', (o) => `/orders/${o.uploaded}/notifications`),
  ...orderTokenRows('mes-api', 'GET', (o) => `/b2b/orders/${o.b2b}`),
  { service: 'shop', method: 'GET', path: () => '/orders/not-a-uuid', wrong: 'a malformed order id, no token', status: 401, error: 'order_token_required', names: /order_token is required/ },
  { service: 'shop', method: 'GET', path: () => '/orders/%E0%A4%A', wrong: 'an id that is not valid percent-encoding, no token (the router decodes first)', status: 400, error: 'bad_request', names: /decode/ },
  { service: 'shop', method: 'GET', path: (o) => `/orders/${o.unknown}/notifications`, wrong: "an unknown order's notifications, another order's token", token: own('uploaded'), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'shop', method: 'GET', path: (o) => `/orders/${o.unknown}`, wrong: 'an unknown order, no token', status: 401, error: 'order_token_required', names: /order_token is required/ },
  { service: 'shop', method: 'GET', path: (o) => `/orders/${o.uploaded}`, wrong: 'a Basic credential', headers: { authorization: 'Basic Y3VzdG9tZXI6cGFzcw==' }, status: 401, error: 'order_token_required', names: /Authorization: Bearer <order_token>/ },
  { service: 'shop', method: 'GET', path: (o) => `/orders/${o.uploaded}`, wrong: 'an empty bearer', headers: { authorization: 'Bearer ' }, status: 401, error: 'order_token_required', names: /order_token is required/ },
  { service: 'shop', method: 'GET', path: (o) => `/orders/${o.uploaded}`, wrong: 'a bearer of 4 KiB', token: 't'.repeat(4096), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'shop', method: 'GET', path: (o) => `/orders/${o.uploaded}`, wrong: "the order's token with its last character changed", token: (o, c) => c.order(o.uploaded).replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model`, wrong: 'a valid model, no token', body: form(() => modelForm()), status: 401, error: 'order_token_required', names: /order_token is required/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model`, wrong: "a valid model, another order's token", token: own('uploaded'), body: form(() => modelForm()), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model`, wrong: 'a model over UPLOAD_MAX_BYTES, no token', body: form(() => modelForm(binaryStl(200))), status: 401, error: 'order_token_required', names: /order_token is required/ },
  { service: 'shop', method: 'PUT', path: (o) => `/orders/${o.initiated}/model/constructor`, wrong: "a valid box, another order's token", token: own('uploaded'), body: json({ shape: 'box', size_mm: [1, 1, 1] }), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'shop', method: 'POST', path: (o) => `/orders/${o.uploaded}/submit`, wrong: 'a valid order, no token', body: json({ quantity: 1, material: 'PLA' }), status: 401, error: 'order_token_required', names: /order_token is required/ },
  { service: 'shop', method: 'POST', path: (o) => `/orders/${o.uploaded}/submit`, wrong: "a valid order, a placed order's token", token: own('placed'), body: json({ quantity: 1, material: 'PLA' }), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'shop', method: 'POST', path: (o) => `/orders/${o.uploaded}/submit`, wrong: 'quantity 0, no token (the token first)', body: json({ quantity: 0, material: 'PLA' }), status: 401, error: 'order_token_required', names: /order_token is required/ },
  { service: 'shop', method: 'POST', path: (o) => `/orders/${o.uploaded}/submit`, wrong: 'malformed JSON, no token (the body parser first)', body: raw('{"quantity":', 'application/json'), status: 400, error: 'bad_request', names: /not valid JSON/ },
  { service: 'shop', method: 'GET', path: (o) => `/orders/${o.b2b}/notifications`, wrong: "a B2B order's notifications, a shop order's token", token: own('uploaded'), status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'mes-api', method: 'POST', path: (o) => `/b2b/orders/${o.b2b}/submit`, wrong: 'submitting, no token', status: 401, error: 'order_token_required', names: /order_token is required/ },
  { service: 'mes-api', method: 'POST', path: (o) => `/b2b/orders/${o.b2b}/submit`, wrong: 'submitting with the internal token', token: INTERNAL, status: 403, error: 'order_token_invalid', names: /not an order_token of order/ },
  { service: 'mes-api', method: 'POST', path: () => '/b2b/orders/nope/submit', wrong: 'a malformed id (B2B submit), no token', status: 401, error: 'order_token_required', names: /order_token is required/ },
  { service: 'mes', method: 'GET', path: () => '/work-orders', wrong: 'the queue, no key', status: 401, error: 'operator_key_required', names: /Authorization: Bearer <operator_key>/ },
  { service: 'mes', method: 'GET', path: () => '/work-orders', wrong: 'the queue, a Basic credential', headers: { authorization: 'Basic b3A6b3A=' }, status: 401, error: 'operator_key_required', names: /operator key is required/ },
  { service: 'mes', method: 'GET', path: (o) => `/work-orders/${o.approved}`, wrong: "a work order with its customer's order_token", token: own('approved'), status: 401, error: 'operator_key_invalid', names: /not an operator key/ },
  { service: 'mes', method: 'GET', path: () => '/work-orders/123', wrong: 'a malformed work order id, no key', status: 401, error: 'operator_key_required', names: /operator key is required/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.approved}/start`, wrong: 'starting, no key', status: 401, error: 'operator_key_required', names: /operator key is required/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.approved}/start`, wrong: 'starting with the internal token', token: INTERNAL, status: 401, error: 'operator_key_invalid', names: /not an operator key/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.approved}/start`, wrong: 'starting with the admin token', token: ADMIN, status: 401, error: 'operator_key_invalid', names: /not an operator key/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.approved}/start`, wrong: 'starting with a revoked key', token: REVOKED, status: 403, error: 'operator_revoked', names: /was revoked at/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.approved}/ship`, wrong: 'a valid shipment, a revoked key', token: REVOKED, body: json({ carrier: 'parcel-co', tracking_number: 'T1' }), status: 403, error: 'operator_revoked', names: /was revoked at/ },
  { service: 'mes', method: 'POST', path: (o) => `/work-orders/${o.approved}/ship`, wrong: 'an empty carrier, no key (the key first)', body: json({ carrier: '', tracking_number: 'T1' }), status: 401, error: 'operator_key_required', names: /operator key is required/ },
  { service: 'mes', method: 'POST', path: () => '/admin/operators', wrong: 'an operator without the admin token', token: OPERATOR, body: json({ name: 'mallory' }), status: 401, error: 'unauthorized', names: /bearer/ },
  { service: 'mes', method: 'POST', path: () => '/admin/operators', wrong: 'an operator without a name', token: ADMIN, body: json({}), status: 400, error: 'bad_request', names: /name/ },
  { service: 'mes', method: 'POST', path: () => '/admin/operators', wrong: 'an operator named by blanks', token: ADMIN, body: json({ name: '   ' }), status: 400, error: 'bad_request', names: /name/ },
  { service: 'mes', method: 'POST', path: () => '/admin/operators', wrong: 'an operator name of 101 characters', token: ADMIN, body: json({ name: 'n'.repeat(101) }), status: 400, error: 'bad_request', names: /name/ },
  { service: 'mes', method: 'POST', path: () => '/admin/operators', wrong: 'an operator name with a NUL', token: ADMIN, body: json({ name: NUL }), status: 400, error: 'bad_request', names: /name: the value contains U\+0000/ },
  { service: 'mes', method: 'POST', path: () => '/admin/operators', wrong: 'an operator with a field of its choosing', token: ADMIN, body: json({ name: 'op', operator_key: 'mine' }), status: 400, error: 'bad_request', names: /operator_key/ },
  { service: 'mes', method: 'DELETE', path: (o) => `/admin/operators/${o.unknown}`, wrong: 'revoking without the admin token', token: OPERATOR, status: 401, error: 'unauthorized', names: /bearer/ },
  { service: 'mes', method: 'DELETE', path: () => '/admin/operators/op-1', wrong: 'revoking a malformed operator id', token: ADMIN, status: 400, error: 'bad_request', names: /operatorId/ },
  { service: 'mes', method: 'DELETE', path: (o) => `/admin/operators/${o.unknown}`, wrong: 'revoking an unknown operator', token: ADMIN, status: 404, error: 'not_found', names: /no operator/ },

  { service: 'crm', method: 'GET', path: () => '/nowhere', wrong: 'no such route', status: 404, error: 'not_found', names: /no route for GET \/nowhere/ },
];

