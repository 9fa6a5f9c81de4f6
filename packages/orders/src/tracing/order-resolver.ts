import type { Request } from 'express';
import { hasBearer } from '@orderscope/platform';
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
