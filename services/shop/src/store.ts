import { untraced, type Queryable } from '@orderscope/platform';
import { OrderTokenTable, type CreatedOrderStore, type CustomerEvent, type Channel, type OrderTokenStore, type StoredModel, type StoredTraceContext } from '@orderscope/orders';

export interface ShopOrderRow {
  order_id: string;
  user_id: string;
  quantity: number | null;
  material: string | null;
  price_cents: string | null;
  created_at: Date;
  submitted_at: Date | null;
}

export interface ModelRow {
  source: 'upload' | 'constructor';
  format: string;
  triangles: number;
  size_x: number;
  size_y: number;
  size_z: number;
  bytes: number;
}

type Nullable<T> = { [K in keyof T]: T[K] | null };

/** The shop's data: B2C orders, their models, and the customer notifications of every order. */
export class ShopStore {
  /** Its orders' tokens (their hashes), in its own order_tokens table. */
  readonly tokens: OrderTokenStore;

  constructor(private readonly db: Queryable) {
    this.tokens = new OrderTokenTable(db);
  }

  /** Not traced: it also runs before a request knows which order's trace it belongs to. */
  async orderIdByIdempotencyKey(key: string): Promise<string | undefined> {
    return (await this.byIdempotencyKey(key))?.orderId;
  }

  async byIdempotencyKey(key: string): Promise<{ orderId: string; trace: StoredTraceContext | null } | null> {
    const row = (
      await untraced(() =>
        this.db.query<{ order_id: string; trace_context: StoredTraceContext | null }>(
          'SELECT order_id, trace_context FROM orders WHERE idempotency_key = $1',
          [key],
        ),
      )
    ).rows[0];
    return row ? { orderId: row.order_id, trace: row.trace_context } : null;
  }

  async traceContext(orderId: string): Promise<StoredTraceContext | null | undefined> {
    return (await this.db.query<{ trace_context: StoredTraceContext | null }>('SELECT trace_context FROM orders WHERE order_id = $1', [orderId]))
      .rows[0]?.trace_context;
  }

  /** Where the create-order flow finds an earlier attempt and stores a new order of `userId`. */
  newOrder(userId: string, idempotencyKey: string | undefined): CreatedOrderStore {
    return {
      orderIdByIdempotencyKey: (key) => this.orderIdByIdempotencyKey(key),
      insert: async (orderId, traceContext) => {
        await this.db.query('INSERT INTO orders (order_id, user_id, idempotency_key, trace_context) VALUES ($1, $2, $3, $4)', [
          orderId,
          userId,
          idempotencyKey ?? null,
          traceContext,
        ]);
      },
    };
  }

  async order(orderId: string): Promise<ShopOrderRow | undefined> {
    return (await this.db.query<ShopOrderRow & Record<string, unknown>>('SELECT * FROM orders WHERE order_id = $1', [orderId])).rows[0];
  }

  /** The order with its model (null before one is uploaded): one query for what a view shows. */
  async orderWithModel(orderId: string): Promise<(ShopOrderRow & { model: ModelRow | null }) | undefined> {
    const row = (
      await this.db.query<ShopOrderRow & Nullable<ModelRow> & Record<string, unknown>>(
        `SELECT o.order_id, o.user_id, o.quantity, o.material, o.price_cents, o.created_at, o.submitted_at,
                m.source, m.format, m.triangles, m.size_x, m.size_y, m.size_z, m.bytes
         FROM orders o LEFT JOIN models m USING (order_id) WHERE o.order_id = $1`,
        [orderId],
      )
    ).rows[0];
    if (!row) return undefined;
    const { source, format, triangles, size_x, size_y, size_z, bytes, ...order } = row;
    const model = source === null ? null : ({ source, format, triangles, size_x, size_y, size_z, bytes } as ModelRow);
    return { ...order, model };
  }

  /** A new model replaces the old one. */
  async saveModel(orderId: string, source: 'upload' | 'constructor', model: StoredModel): Promise<void> {
    await this.db.query(
      `INSERT INTO models (order_id, source, format, triangles, size_x, size_y, size_z, bytes, sha256, path)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (order_id) DO UPDATE SET source = EXCLUDED.source, format = EXCLUDED.format,
         triangles = EXCLUDED.triangles, size_x = EXCLUDED.size_x, size_y = EXCLUDED.size_y, size_z = EXCLUDED.size_z,
         bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256, path = EXCLUDED.path, uploaded_at = now()`,
      [orderId, source, model.format, model.triangles, ...model.size, model.bytes, model.sha256, model.path],
    );
  }

  /** Placed: the first quantity and material stand (a re-submission keeps them). */
  async markSubmitted(orderId: string, quantity: number, material: string): Promise<void> {
    await this.db.query(
      `UPDATE orders SET quantity = COALESCE(quantity, $2), material = COALESCE(material, $3),
         submitted_at = COALESCE(submitted_at, now()) WHERE order_id = $1`,
      [orderId, quantity, material],
    );
  }

  async setPrice(orderId: string, priceCents: number): Promise<void> {
    await this.db.query('UPDATE orders SET price_cents = $2 WHERE order_id = $1', [orderId, priceCents]);
  }

  async setPriceIfMissing(orderId: string, priceCents: number): Promise<void> {
    await this.db.query('UPDATE orders SET price_cents = $2 WHERE order_id = $1 AND price_cents IS NULL', [orderId, priceCents]);
  }

  /** Idempotent: the CRM repeats an event until it is taken. */
  async addNotification(orderId: string, event: CustomerEvent, channel: Channel): Promise<void> {
    await this.db.query(`INSERT INTO customer_notifications (order_id, event, channel) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
      orderId,
      event,
      channel,
    ]);
  }

  async notifications(orderId: string): Promise<Array<{ event: string; received_at: Date }>> {
    return (
      await this.db.query<{ event: string; received_at: Date }>(
        'SELECT event, received_at FROM customer_notifications WHERE order_id = $1 ORDER BY received_at',
        [orderId],
      )
    ).rows;
  }
}
