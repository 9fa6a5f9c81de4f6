import { z } from 'zod';
import { callEndpoint, endpoint, secretHash, type ServiceClient } from '@orderscope/platform';

/**
 * The MES API answers whether a token is one of a B2B order's: the shop, where B2B clients read
 * their orders' notifications too, holds no tokens of B2B orders. Only the token's SHA-256 crosses.
 */
export const orderAccessContract = {
  check: endpoint({
    method: 'POST',
    path: '/internal/b2b/orders/:orderId/token-check',
    params: z.object({ orderId: z.uuid() }),
    request: z.object({ token_sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
    response: z.object({ order_id: z.uuid(), granted: z.boolean() }),
  }),
} as const;

/** The shop's client of the MES API's token check. */
export class OrderAccessClient {
  constructor(private readonly mesApi: ServiceClient) {}

  async granted(orderId: string, token: string): Promise<boolean> {
    const body = { token_sha256: secretHash(token).toString('hex') };
    return (await callEndpoint(this.mesApi, orderAccessContract.check, { params: { orderId }, body })).body.granted;
  }
}
