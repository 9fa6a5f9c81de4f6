import { randomUUID } from 'node:crypto';
import type { Channel, OrderStatus } from '../lifecycle/order-lifecycle.js';
import { captureTraceContext, withOrder, type StoredTraceContext } from '../tracing/order-context.js';
import type { RegistryClient } from '../contracts/registry.js';
import { issueOrderToken, type OrderTokenStore } from '../access/order-token.js';

/** How a service keeps the orders it creates (its store). */
export interface CreatedOrderStore {
  /** The order an earlier attempt with this Idempotency-Key created, if any. */
  orderIdByIdempotencyKey(key: string): Promise<string | undefined>;
  /** Stores a new order with its trace context (called once per order). */
  insert(orderId: string, traceContext: StoredTraceContext | null): Promise<void>;
}

/**
 * The one "create an order" flow of the shop and the MES API: the Idempotency-Key finds an earlier
 * attempt, or a new id is made; this request's span becomes the order's root and its context is
 * stored with the order; the order's first transition is recorded (on a retry too, in case the
 * first attempt stored the order but not its status); 201 for a new order, 200 for a retry.
 * Either answer carries a new `order_token`: a retry is what a client does whose first answer was
 * lost, so it gets a token of its own (the earlier ones stay valid: two attempts may cross).
 */
export async function createOrder<T>(args: {
  store: CreatedOrderStore;
  /** Where the order's tokens are kept (the same service's store). */
  tokens: OrderTokenStore;
  registry: RegistryClient;
  idempotencyKey: string | undefined;
  channel: Channel;
  firstStatus: OrderStatus;
  userId: string;
  /** The keyed pseudonym of `userId`, for the spans. */
  userPseudonym: string;
  view: (orderId: string) => Promise<T>;
}): Promise<{ status: 200 | 201; body: T & { order_token: string } }> {
  const earlier = args.idempotencyKey ? await args.store.orderIdByIdempotencyKey(args.idempotencyKey) : undefined;
  const orderId = earlier ?? randomUUID();
  return withOrder(
    orderId,
    async () => {
      const traceContext = captureTraceContext();
      if (earlier === undefined) await args.store.insert(orderId, traceContext);
      await args.registry.record(orderId, args.firstStatus, { channel: args.channel, userId: args.userId, traceContext });
      const orderToken = await issueOrderToken(args.tokens, orderId);
      return { status: earlier === undefined ? 201 : 200, body: { ...(await args.view(orderId)), order_token: orderToken } } as const;
    },
    args.userPseudonym,
  );
}
