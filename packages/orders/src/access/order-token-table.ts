import type { Queryable } from '@orderscope/platform';
import type { OrderTokenStore } from './order-token.js';

/**
 * The order tokens as every service that creates orders keeps them: a table `order_tokens
 * (order_id, token_hash)` in its own schema (its migration; the services differ only in which
 * orders table the id refers to). Written once here, so the services' SQL cannot drift apart.
 */
export class OrderTokenTable implements OrderTokenStore {
  constructor(private readonly db: Queryable) {}

  async orderTokenHashes(orderId: string): Promise<Buffer[]> {
    return (await this.db.query<{ token_hash: Buffer }>('SELECT token_hash FROM order_tokens WHERE order_id = $1', [orderId])).rows.map(
      (r) => r.token_hash,
    );
  }

  /** Idempotent: a retried creation may store the same hash again. */
  async addOrderToken(orderId: string, hash: Buffer): Promise<void> {
    await this.db.query('INSERT INTO order_tokens (order_id, token_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING', [orderId, hash]);
  }
}
