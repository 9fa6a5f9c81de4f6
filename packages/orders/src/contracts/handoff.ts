import { z } from 'zod';
import { callEndpoint, endpoint, type CallStats, type ServiceClient } from '@orderscope/platform';
import { MATERIALS } from '../catalog.js';
import { storedTraceContextSchema } from '../tracing/order-context.js';

export const WORK_STATES = ['queued', 'in_progress', 'completed', 'packaging', 'shipped'] as const;
export type WorkState = (typeof WORK_STATES)[number];

/**
 * The CRM hands an approved order to the MES as a work order, with the order's trace context.
 * Idempotent: the CRM repeats it until it gets an answer.
 */
export const handoffContract = {
  handOff: endpoint({
    method: 'PUT',
    path: '/internal/work-orders/:orderId',
    params: z.object({ orderId: z.uuid() }),
    request: z.object({
      quantity: z.number().int().min(1).max(10_000),
      material: z.enum(MATERIALS),
      trace_context: storedTraceContextSchema.nullish(),
    }),
    response: z.object({ order_id: z.uuid(), state: z.enum(WORK_STATES) }),
  }),
} as const;

export type HandoffRequest = z.input<typeof handoffContract.handOff.request>;
export type HandedOff = z.output<typeof handoffContract.handOff.response>;

/** The CRM's client of the MES's work-order intake. */
export class HandoffClient {
  constructor(private readonly mes: ServiceClient) {}

  async handOff(orderId: string, request: HandoffRequest): Promise<HandedOff & { call: CallStats }> {
    const { status: _s, body, ...call } = await callEndpoint(this.mes, handoffContract.handOff, { params: { orderId }, body: request });
    return { ...body, call };
  }
}
