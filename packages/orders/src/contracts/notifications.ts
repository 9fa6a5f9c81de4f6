import { z } from 'zod';
import { callEndpoint, endpoint, type ServiceClient } from '@orderscope/platform';
import { CHANNELS } from '../lifecycle/order-lifecycle.js';

export const CUSTOMER_EVENTS = ['ORDER_CONFIRMED', 'ORDER_DELIVERED'] as const;
export type CustomerEvent = (typeof CUSTOMER_EVENTS)[number];

/**
 * The CRM tells the customer, through the shop (where B2C customers and B2B clients see their
 * orders). Idempotent: the CRM repeats an event until it is taken.
 */
export const notificationsContract = {
  notify: endpoint({
    method: 'PUT',
    path: '/internal/orders/:orderId/notifications/:event',
    params: z.object({ orderId: z.uuid(), event: z.enum(CUSTOMER_EVENTS) }),
    request: z.object({
      channel: z.enum(CHANNELS),
      /** With ORDER_CONFIRMED: the price the order was approved at (the shop keeps it if its own pricing call failed). */
      price_cents: z.number().int().min(0).optional(),
    }),
    response: z.object({ order_id: z.uuid(), event: z.enum(CUSTOMER_EVENTS) }),
  }),
} as const;

/** The CRM's client of the shop's customer notifications. */
export class NotificationsClient {
  constructor(private readonly shop: ServiceClient) {}

  async notify(orderId: string, event: CustomerEvent, body: z.input<typeof notificationsContract.notify.request>): Promise<void> {
    await callEndpoint(this.shop, notificationsContract.notify, { params: { orderId, event }, body });
  }
}
