import { z } from 'zod';
import { callEndpoint, endpoint, type ServiceClient } from '@orderscope/platform';
import { MATERIALS, MAX_MODEL_SIDE_MM } from '../catalog.js';
import { ORDER_STATUSES } from '../lifecycle/order-lifecycle.js';
import { transitionRecordSchema } from './registry-model.js';

const side = z.number().min(0).max(MAX_MODEL_SIDE_MM);

/** The MES API prices a B2C order when the customer places it (asked by the shop). */
export const pricingContract = {
  price: endpoint({
    method: 'POST',
    path: '/internal/orders/:orderId/price',
    params: z.object({ orderId: z.uuid() }),
    request: z.object({
      quantity: z.number().int().min(1).max(10_000),
      material: z.enum(MATERIALS),
      model: z.object({
        triangles: z.number().int().min(1),
        size: z.tuple([side, side, side]),
      }),
    }),
    response: z.object({
      order_id: z.uuid(),
      /** Where the order stands once priced and sent for approval. */
      status: z.enum(ORDER_STATUSES),
      price_cents: z.number().int().min(0),
      price_transition: transitionRecordSchema,
    }),
  }),
} as const;

export type PriceRequest = z.input<typeof pricingContract.price.request>;
export type PricedOrder = z.output<typeof pricingContract.price.response>;

/** The shop's client of the MES API's pricing. */
export class PricingClient {
  constructor(private readonly mesApi: ServiceClient) {}

  async price(orderId: string, request: PriceRequest): Promise<PricedOrder> {
    return (await callEndpoint(this.mesApi, pricingContract.price, { params: { orderId }, body: request })).body;
  }
}
