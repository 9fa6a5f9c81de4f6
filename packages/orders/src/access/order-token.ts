import type { RequestHandler } from 'express';
import { z } from 'zod';
import { bearerToken, ForbiddenError, matchesSecretHash, newSecret, parseInput, secretHash, UnauthorizedError } from '@orderscope/platform';

/**
 * The customer's capability for one order: a random secret the creating request answers with
 * (`order_token`, once), shown on every later request about that order as
 * `Authorization: Bearer <order_token>`. The service keeps only its hash (docs/access-control.md).
 */
export const ORDER_TOKEN_FIELD = 'order_token';

/** Where a service keeps the hashes of its orders' tokens (its store). */
export interface OrderTokenStore {
  /** Every valid token hash of the order; none when the order does not exist. */
  orderTokenHashes(orderId: string): Promise<Buffer[]>;
  addOrderToken(orderId: string, hash: Buffer): Promise<void>;
}

/** A new token for the order: its hash is stored, the token itself is returned (and never kept). */
export async function issueOrderToken(store: OrderTokenStore, orderId: string): Promise<string> {
  const token = newSecret();
  await store.addOrderToken(orderId, secretHash(token));
  return token;
}

/** Is `token` one of the order's tokens? */
export type OrderTokenCheck = (orderId: string, token: string) => Promise<boolean>;

/** The check against the service's own store (hashes compared in constant time). */
export const ownOrderTokens =
  (store: Pick<OrderTokenStore, 'orderTokenHashes'>): OrderTokenCheck =>
  async (orderId, token) =>
    matchesSecretHash(token, await store.orderTokenHashes(orderId));

const orderParams = z.object({ orderId: z.uuid() });

/**
 * Requires the order's token on a route with `:orderId`: none → 401 `order_token_required`; a
 * token that is not this order's → 403 `order_token_invalid`. An order that does not exist has no
 * token, so it answers 403 too: a caller without the order's token learns nothing about it.
 * Put it before anything that reads the body (uploads).
 */
export function requireOrderToken(check: OrderTokenCheck): RequestHandler {
  return async (req, _res, next) => {
    try {
      const shown = bearerToken(req.headers);
      if (!shown) {
        throw new UnauthorizedError(`this order's ${ORDER_TOKEN_FIELD} is required: Authorization: Bearer <${ORDER_TOKEN_FIELD}>`, 'order_token_required');
      }
      const { orderId } = parseInput(orderParams, req.params);
      if (!(await check(orderId, shown))) {
        throw new ForbiddenError('order_token_invalid', `the bearer token is not an ${ORDER_TOKEN_FIELD} of order ${orderId}`);
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}
