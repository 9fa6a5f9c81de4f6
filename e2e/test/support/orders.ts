import { randomUUID } from 'node:crypto';
import { modelForm, operatorApi, publicApi, internalApi } from './stack.js';

/** Each order's token, as its creation answered it: what the customer keeps. */
const tokens = new Map<string, string>();

/** The order's token (from newB2cOrder or keepOrderToken). */
export function orderToken(orderId: string): string {
  const token = tokens.get(orderId);
  if (!token) throw new Error(`no order_token kept for order ${orderId}`);
  return token;
}

/** Keeps a creation's order_token; returns the order's id. */
export function keepOrderToken(body: { order_id: string; order_token?: string }): string {
  if (!body.order_token) throw new Error(`the creation of ${body.order_id} answered no order_token`);
  tokens.set(body.order_id, body.order_token);
  return body.order_id;
}

/** The headers of a call about the order, as its customer makes it. */
export const asCustomer = (orderId: string): Record<string, string> => ({ authorization: `Bearer ${orderToken(orderId)}` });

/** A B2C order through the shop's public API, up to FILE_UPLOADED; returns its id. */
export async function newB2cOrder(headers: Record<string, string> = {}): Promise<string> {
  const created = await publicApi('shop').send<{ order_id: string; order_token?: string }>('POST', '/orders', {
    json: { user_id: `e2e-user-${randomUUID().slice(0, 8)}` },
    headers,
  });
  const id = keepOrderToken(created.body);
  await publicApi('shop').send('PUT', `/orders/${id}/model`, { form: modelForm(), headers: { ...headers, ...asCustomer(id) } });
  return id;
}

export async function submit(orderId: string) {
  return publicApi('shop').call<{ status?: string; error?: string; details?: Record<string, unknown> }>(
    'POST',
    `/orders/${orderId}/submit`,
    { json: { quantity: 2, material: 'PLA' }, headers: asCustomer(orderId) },
  );
}

/** The operators' four steps (as the e2e operator) and the carrier's message: the order ends CLOSED. */
export async function manufactureAndDeliver(orderId: string): Promise<void> {
  const mes = await operatorApi();
  for (const step of ['start', 'complete', 'package']) await mes.send('POST', `/work-orders/${orderId}/${step}`);
  await mes.send('POST', `/work-orders/${orderId}/ship`, { json: { carrier: 'e2e-parcel', tracking_number: 'E2E-1' } });
  await internalApi('crm').send('POST', '/carrier/deliveries', { json: { order_id: orderId, tracking_number: 'E2E-1' } });
}
