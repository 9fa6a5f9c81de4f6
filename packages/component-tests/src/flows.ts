import assert from 'node:assert/strict';
import { binaryStl, modelForm } from '@orderscope/testkit';
import type { System } from './system.js';

export { binaryStl, modelForm };

function expectStatus(r: { status: number; body: unknown }, status: number, what: string): void {
  assert.equal(r.status, status, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
}

/** Every order_token the flows were answered, by order id: what the customer keeps. */
const tokens = new Map<string, string>();

/** The order's token, as its creation answered it (the flows below, or `keepToken`). */
export function orderToken(orderId: string): string {
  const token = tokens.get(orderId);
  if (!token) throw new Error(`no order_token kept for order ${orderId}`);
  return token;
}

/** Keeps the order_token of a creation's answer; returns the order id. */
export function keepToken(created: { body: any }): string {
  const id = created.body.order_id as string;
  assert.equal(typeof created.body.order_token, 'string', `the creation answers an order_token: ${JSON.stringify(created.body)}`);
  tokens.set(id, created.body.order_token as string);
  return id;
}

/** A B2C customer in the shop: new order, model upload; returns the order id (status FILE_UPLOADED). */
export async function b2cOrderWithModel(sys: System, userId = 'customer-1'): Promise<string> {
  const created = await sys.request('shop', 'POST', '/orders', { json: { user_id: userId }, token: null });
  expectStatus(created, 201, 'create order');
  const id = keepToken(created);
  const uploaded = await sys.request('shop', 'PUT', `/orders/${id}/model`, { body: modelForm(binaryStl(4)), token: orderToken(id) });
  expectStatus(uploaded, 200, 'upload model');
  return id;
}

export async function submitB2c(sys: System, id: string) {
  return sys.request('shop', 'POST', `/orders/${id}/submit`, { json: { quantity: 3, material: 'PETG' }, token: orderToken(id) });
}

/** A B2B client through the MES API: upload (= order) and submit; returns the order id (approved). */
export async function b2bApprovedOrder(sys: System): Promise<string> {
  const created = await sys.request('mes-api', 'POST', '/b2b/orders', {
    body: modelForm(binaryStl(6), { customer_id: 'acme-gmbh', quantity: '12', material: 'NYLON' }),
    token: null,
  });
  expectStatus(created, 201, 'B2B upload');
  const id = keepToken(created);
  const submitted = await sys.request('mes-api', 'POST', `/b2b/orders/${id}/submit`, { token: orderToken(id) });
  expectStatus(submitted, 200, 'B2B submit');
  assert.equal(submitted.body.status, 'MANUFACTURING_APPROVED');
  return id;
}

/** The MES operators' four steps (as the system's operator) and the carrier's delivery message. */
export async function manufactureAndDeliver(sys: System, id: string): Promise<void> {
  for (const step of ['start', 'complete', 'package']) {
    expectStatus(await sys.request('mes', 'POST', `/work-orders/${id}/${step}`, { token: sys.operator.key }), 200, step);
  }
  const shipped = await sys.request('mes', 'POST', `/work-orders/${id}/ship`, {
    json: { carrier: 'parcel-co', tracking_number: `TRK-${id.slice(0, 8)}` },
    token: sys.operator.key,
  });
  expectStatus(shipped, 200, 'ship');
  const delivered = await sys.request('crm', 'POST', '/carrier/deliveries', {
    json: { order_id: id, tracking_number: `TRK-${id.slice(0, 8)}` },
  });
  expectStatus(delivered, 200, 'delivery');
}

export async function registryOrder(sys: System, id: string) {
  const r = await sys.request('crm', 'GET', `/registry/orders/${id}`);
  expectStatus(r, 200, 'registry');
  return r.body as { status: string; channel: string; history: Array<{ seq: number; status: string; actor: string; operator_id: string | null; occurred_at: string }> };
}

export async function transitionRows(sys: System, id: string): Promise<number> {
  const c = await sys.db.admin();
  try {
    const r = await c.query('SELECT count(*)::int AS n FROM crm.order_transitions WHERE order_id = $1', [id]);
    return r.rows[0].n as number;
  } finally {
    await c.end();
  }
}
