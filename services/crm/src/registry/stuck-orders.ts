import { context, trace } from '@opentelemetry/api';
import { type Database, type Logger } from '@orderscope/platform';
import { ATTR, orderContext, restoreTraceContext, type StoredTraceContext } from '@orderscope/orders';
import { allowedRows, type AllowedWaits } from './allowed-times.js';

const tracer = () => trace.getTracer('@orderscope/crm');

export interface StuckOrder {
  readonly order_id: string;
  readonly status: string;
  readonly stuck_for_ms: number;
  readonly trace_context: StoredTraceContext | null;
}

/**
 * Finds open orders waiting longer than their status allows and marks each in its own trace with a
 * span `order stuck` (order.stuck=true) — once per status — so that a lost order is visible where
 * its history is, and the collector's sampling always keeps it.
 */
export async function reportStuckOrders(db: Database, logger: Logger, waits: AllowedWaits): Promise<StuckOrder[]> {
  const params: unknown[] = [];
  const allowed = allowedRows(waits, params);
  const found = await db.query<{ order_id: string; status: string; status_since: Date; trace_context: StoredTraceContext | null; allowed_s: number }>(
    `UPDATE orders o SET stuck_reported_status = o.status, stuck_reported_at = now()
       FROM ${allowed}
     WHERE allowed.status = o.status
       AND o.status_since <= now() - make_interval(secs => allowed.allowed_s)
       AND o.stuck_reported_status IS DISTINCT FROM o.status
     RETURNING o.order_id, o.status, o.status_since, o.trace_context, allowed.allowed_s`,
    params,
  );
  const now = Date.now();
  return found.rows.map((o) => {
    const stuckFor = now - o.status_since.getTime();
    const parent = o.trace_context ? restoreTraceContext(o.trace_context, context.active()) : context.active();
    const span = tracer().startSpan(
      'order stuck',
      {
        attributes: {
          [ATTR.orderId]: o.order_id,
          [ATTR.status]: o.status,
          [ATTR.stuck]: true,
          [ATTR.stuckForMs]: stuckFor,
          [ATTR.allowedWaitMs]: o.allowed_s * 1000,
          // Part of the order's skeleton: a child of its root, kept whatever the detail sampling.
          [ATTR.skeleton]: true,
        },
      },
      orderContext(o.order_id, undefined, parent),
    );
    span.end();
    logger.warn({ order_id: o.order_id, status: o.status, stuck_for_ms: stuckFor, allowed_wait_ms: o.allowed_s * 1000 }, 'order stuck');
    return { order_id: o.order_id, status: o.status, stuck_for_ms: stuckFor, trace_context: o.trace_context };
  });
}
