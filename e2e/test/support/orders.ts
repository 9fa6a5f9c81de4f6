import { randomUUID } from 'node:crypto';
import { modelForm, publicApi, internalApi } from './stack.js';

/** A B2C order through the shop's public API, up to FILE_UPLOADED; returns its id. */
export async function newB2cOrder(headers: Record<string, string> = {}): Promise<string> {
  const created = await publicApi('shop').send<{ order_id: string }>('POST', '/orders', {
    json: { user_id: `e2e-user-${randomUUID().slice(0, 8)}` },
    headers,
  });
  const id = created.body.order_id;
  await publicApi('shop').send('PUT', `/orders/${id}/model`, { form: modelForm(), headers });
  return id;
}

export async function submit(orderId: string) {
  return publicApi('shop').call<{ status?: string; error?: string; details?: Record<string, unknown> }>(
    'POST',
    `/orders/${orderId}/submit`,
    { json: { quantity: 2, material: 'PLA' } },
  );
}

/** The operators' four steps and the carrier's message: the order ends CLOSED. */
export async function manufactureAndDeliver(orderId: string): Promise<void> {
  for (const step of ['start', 'complete', 'package']) await publicApi('mes').send('POST', `/work-orders/${orderId}/${step}`);
  await publicApi('mes').send('POST', `/work-orders/${orderId}/ship`, { json: { carrier: 'e2e-parcel', tracking_number: 'E2E-1' } });
  await internalApi('crm').send('POST', '/carrier/deliveries', { json: { order_id: orderId, tracking_number: 'E2E-1' } });
}
