import { z } from 'zod';
import type { CallStats } from '@orderscope/platform';
import { CHANNELS, ORDER_STATUSES } from '../lifecycle/order-lifecycle.js';
import { SERVICE_NAMES } from '../topology.js';
import { storedTraceContextSchema } from '../tracing/order-context.js';

/** One status change as the CRM's order registry stores it. */
export const transitionRecordSchema = z.object({
  order_id: z.uuid(),
  seq: z.number().int().min(1),
  status: z.enum(ORDER_STATUSES),
  previous_status: z.enum(ORDER_STATUSES).nullable(),
  actor: z.enum(SERVICE_NAMES),
  /** The MES operator who made the step (MANUFACTURING_STARTED … SHIPPED); null otherwise. */
  operator_id: z.uuid().nullable(),
  channel: z.enum(CHANNELS),
  occurred_at: z.iso.datetime({ offset: true }),
  /** Milliseconds the order spent in previous_status. */
  previous_status_ms: z.number().nullable(),
  /** At CLOSED: milliseconds from the order's first transition to its last. */
  lifecycle_ms: z.number().nullable(),
});
export type TransitionRecord = z.infer<typeof transitionRecordSchema>;

/** The order's trace: its id and where to open it in Jaeger. */
export const traceLinkSchema = z.object({ trace_id: z.string().regex(/^[0-9a-f]{32}$/), jaeger_url: z.url() });
export type TraceLink = z.infer<typeof traceLinkSchema>;

/** "Where is my order?": its status, its whole history, its trace. */
export const registeredOrderSchema = z.object({
  order_id: z.uuid(),
  channel: z.enum(CHANNELS),
  status: z.enum(ORDER_STATUSES),
  status_since: z.iso.datetime({ offset: true }),
  created_at: z.iso.datetime({ offset: true }),
  closed_at: z.iso.datetime({ offset: true }).nullable(),
  history: z.array(transitionRecordSchema),
  trace_context: storedTraceContextSchema.nullable(),
  trace: traceLinkSchema.nullable(),
});
export type RegisteredOrder = z.infer<typeof registeredOrderSchema>;

/** What the registry answers to a recorded transition. */
export const appliedTransitionSchema = z.object({
  transition: transitionRecordSchema,
  /** True when the registry already had this transition (a retry): nothing was written. */
  replayed: z.boolean(),
  /** The order's stored trace context (see docs/tracing.md). */
  trace_context: storedTraceContextSchema.nullable(),
});
export type AppliedTransition = z.infer<typeof appliedTransitionSchema>;

export interface RecordedTransition extends AppliedTransition {
  readonly call: CallStats;
}
