import { randomUUID } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Request } from 'express';
import { secretsEqual } from '../http/auth.js';
import type { Queryable } from '../db/database.js';
import type { OrderStatus } from '../lifecycle/order-lifecycle.js';
import type { TransitionRecord } from '../registry/registry-client.js';
import { ATTR } from './attributes.js';
import { orderRootContext, type StoredTraceContext } from './order-context.js';
import type { RequestOrder, RequestOrderResolver } from './server-span.js';

const tracer = () => trace.getTracer('@orderscope/common');

/** Runs `work` without tracing it (look-ups made before the request knows its order). */
export function untraced<T>(work: () => T): T {
  return context.with(suppressTracing(context.active()), work);
}

/** Marks the active span as failed, with the exception as an event. */
export function recordError(err: unknown): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/**
 * The span of one status transition, in the service that owns it: the new and the previous
 * status, the time the order spent in the previous one, and at CLOSED the whole lifecycle.
 *
 * It belongs to the order's skeleton (`order.skeleton`), which the collector keeps for every
 * order: its parent is the order's root span (not the request that made it, whose detail may be
 * sampled away), and it links to that request's span. The work runs in the caller's context, so
 * the detail nests under the request as it would without this span.
 */
export async function tracedTransition<T extends { transition: TransitionRecord; replayed: boolean }>(
  status: OrderStatus,
  work: () => Promise<T>,
): Promise<T> {
  const active = context.active();
  const root = orderRootContext(active);
  const request = trace.getSpanContext(active);
  const span = tracer().startSpan(
    `order ${status}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: { [ATTR.status]: status, [ATTR.skeleton]: true },
      ...(root && request ? { links: [{ context: request }] } : {}),
    },
    root ? trace.setSpanContext(active, root) : active,
  );
  try {
    const result = await work();
    const t = result.transition;
    span.setAttributes({
      [ATTR.channel]: t.channel,
      [ATTR.replayed]: result.replayed,
      ...(t.previous_status ? { [ATTR.previousStatus]: t.previous_status } : {}),
      ...(t.previous_status_ms !== null ? { [ATTR.previousStatusDurationMs]: t.previous_status_ms } : {}),
      ...(t.lifecycle_ms !== null ? { [ATTR.lifecycleDurationMs]: t.lifecycle_ms } : {}),
    });
    return result;
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    throw err;
  } finally {
    span.end();
  }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * The usual way a service finds the order of a public request: the first UUID in the path or
 * `order_id` in the JSON body, its trace context from the service's own table; for a retried
 * creation, the order stored under the request's Idempotency-Key.
 */
export function orderResolver(lookup: {
  byId: (orderId: string) => Promise<StoredTraceContext | null | undefined>;
  byIdempotencyKey?: (key: string) => Promise<RequestOrder | null | undefined>;
  /** Only callers with this bearer token may continue an order's trace (the CRM's APIs). */
  requireToken?: string;
}): RequestOrderResolver {
  return async (req: Request) => {
    // A call to an internal API that did not prove it is one of the services must not reach an
    // order's trace through the order id in its path either.
    if (req.path.startsWith('/internal/')) return null;
    if (lookup.requireToken) {
      const token = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1];
      if (!token || !secretsEqual(token, lookup.requireToken)) return null;
    }
    const key = req.get('idempotency-key');
    if (req.method === 'POST' && key && lookup.byIdempotencyKey) return (await lookup.byIdempotencyKey(key)) ?? null;
    const fromBody = typeof req.body?.order_id === 'string' ? (req.body.order_id as string) : undefined;
    const orderId = UUID.exec(req.path)?.[0] ?? (fromBody && UUID.test(fromBody) ? fromBody : undefined);
    if (!orderId) return null;
    return { orderId, trace: (await lookup.byId(orderId)) ?? null };
  };
}

function assertTable(table: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a table name: ${table}`);
}

/**
 * The order a creation request already made under its Idempotency-Key (a retry), if any, from a
 * table with columns order_id, idempotency_key and trace_context. Not traced: it runs before the
 * request knows which order's trace it belongs to.
 */
/**
 * The id a "create order" request works on: the order an earlier attempt with the same
 * Idempotency-Key created (`existing`), or a new one.
 */
export async function orderIdForCreate(db: Queryable, table: string, key: string | undefined): Promise<{ orderId: string; existing: boolean }> {
  const earlier = key ? (await orderByIdempotencyKey(db, table, key))?.orderId : undefined;
  return { orderId: earlier ?? randomUUID(), existing: earlier !== undefined };
}

export async function orderByIdempotencyKey(db: Queryable, table: string, key: string): Promise<RequestOrder | null> {
  assertTable(table);
  const row = (
    await untraced(() =>
      db.query<{ order_id: string; trace_context: StoredTraceContext | null }>(
        `SELECT order_id, trace_context FROM ${table} WHERE idempotency_key = $1`,
        [key],
      ),
    )
  ).rows[0];
  return row ? { orderId: row.order_id, trace: row.trace_context } : null;
}

/**
 * The resolver of a service that keeps its orders' trace context in one table, with columns
 * order_id and trace_context (and idempotency_key, for creations retried under a key).
 */
export function orderTableResolver(db: Queryable, table: string, opts: { idempotencyKey?: boolean } = {}): RequestOrderResolver {
  assertTable(table);
  return orderResolver({
    byId: async (orderId) =>
      (await db.query<{ trace_context: StoredTraceContext | null }>(`SELECT trace_context FROM ${table} WHERE order_id = $1`, [orderId]))
        .rows[0]?.trace_context,
    ...(opts.idempotencyKey ? { byIdempotencyKey: (key: string) => orderByIdempotencyKey(db, table, key) } : {}),
  });
}
