import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { hasBearer, untraced, type Queryable } from '@orderscope/platform';
import type { StoredTraceContext } from './order-context.js';
import type { RequestOrder, RequestOrderResolver } from './server-span.js';

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
      if (!hasBearer(req.headers, lookup.requireToken)) return null;
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
 * The id a "create order" request works on: the order an earlier attempt with the same
 * Idempotency-Key created (`existing`), or a new one.
 */
export async function orderIdForCreate(db: Queryable, table: string, key: string | undefined): Promise<{ orderId: string; existing: boolean }> {
  const earlier = key ? (await orderByIdempotencyKey(db, table, key))?.orderId : undefined;
  return { orderId: earlier ?? randomUUID(), existing: earlier !== undefined };
}

/**
 * The order a creation request already made under its Idempotency-Key (a retry), if any, from a
 * table with columns order_id, idempotency_key and trace_context. Not traced: it runs before the
 * request knows which order's trace it belongs to.
 */
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
