import { z } from 'zod';
import { callEndpoint, endpoint, type ServiceClient } from '@orderscope/platform';
import { MATERIALS } from '../catalog.js';
import { transitionRecordSchema } from './registry-model.js';

/** The CRM approves a priced order for manufacturing and hands it to the MES (asked by the MES API). */
export const approvalContract = {
  approve: endpoint({
    method: 'POST',
    path: '/internal/orders/:orderId/approve',
    params: z.object({ orderId: z.uuid() }),
    request: z.object({
      quantity: z.number().int().min(1).max(10_000),
      material: z.enum(MATERIALS),
      price_cents: z.number().int().min(0),
    }),
    response: z.object({
      transition: transitionRecordSchema,
      replayed: z.boolean(),
      /** How the hand-off to the MES went. */
      handoff: z.object({ retry_count: z.number().int().min(0), timed_out_attempts: z.number().int().min(0) }),
    }),
  }),
} as const;

export type ApprovalRequest = z.input<typeof approvalContract.approve.request>;
export type Approval = z.output<typeof approvalContract.approve.response>;

/** The MES API's client of the CRM's approval. */
export class ApprovalClient {
  constructor(private readonly crm: ServiceClient) {}

  async approve(orderId: string, request: ApprovalRequest): Promise<Approval> {
    return (await callEndpoint(this.crm, approvalContract.approve, { params: { orderId }, body: request })).body;
  }
}
