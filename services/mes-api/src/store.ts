import { untraced, type Database } from '@orderscope/platform';
import { OrderTokenTable, type Channel, type CreatedOrderStore, type Material, type OrderTokenStore, type StoredModel, type StoredTraceContext } from '@orderscope/orders';

export interface PriceRow {
  price_cents: string;
  quantity: number;
  material: Material;
}

export interface B2bOrderView {
  order_id: string;
  quantity: number;
  material: Material;
  created_at: Date;
  format: string | null;
  triangles: number | null;
  size_x: number | null;
  size_y: number | null;
  size_z: number | null;
  bytes: number | null;
  price_cents: string | null;
}

/** The MES API's data: B2B orders and their models, and the price of every order. */
export class MesApiStore {
  /** Its orders' tokens (their hashes), in its own order_tokens table. */
  readonly tokens: OrderTokenStore;

  constructor(private readonly db: Database) {
    this.tokens = new OrderTokenTable(db);
  }

  async byIdempotencyKey(key: string): Promise<{ orderId: string; trace: StoredTraceContext | null } | null> {
    const row = (
      await untraced(() =>
        this.db.query<{ order_id: string; trace_context: StoredTraceContext | null }>(
          'SELECT order_id, trace_context FROM b2b_orders WHERE idempotency_key = $1',
          [key],
        ),
      )
    ).rows[0];
    return row ? { orderId: row.order_id, trace: row.trace_context } : null;
  }

  async traceContext(orderId: string): Promise<StoredTraceContext | null | undefined> {
    return (
      await this.db.query<{ trace_context: StoredTraceContext | null }>('SELECT trace_context FROM b2b_orders WHERE order_id = $1', [orderId])
    ).rows[0]?.trace_context;
  }

  /**
   * Where the create-order flow finds an earlier upload and stores a new B2B order: the order and
   * its model in one transaction, once the model file (`saveFile`) is written.
   */
  newOrder(
    fields: { customerId: string; quantity: number; material: Material },
    idempotencyKey: string | undefined,
    saveFile: (orderId: string) => Promise<StoredModel>,
  ): CreatedOrderStore {
    return {
      orderIdByIdempotencyKey: async (key) => (await this.byIdempotencyKey(key))?.orderId,
      insert: async (orderId, traceContext) => {
        const model = await saveFile(orderId);
        await this.db.tx(async (q) => {
          await q.query(
            `INSERT INTO b2b_orders (order_id, customer_id, quantity, material, idempotency_key, trace_context)
             VALUES ($1, $2, $3, $4, $5, $6)`,
            [orderId, fields.customerId, fields.quantity, fields.material, idempotencyKey ?? null, traceContext],
          );
          await q.query(
            `INSERT INTO models (order_id, format, triangles, size_x, size_y, size_z, bytes, sha256, path)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [orderId, model.format, model.triangles, ...model.size, model.bytes, model.sha256, model.path],
          );
        });
      },
    };
  }

  /** What placing a B2B order needs: its quantity, material and the model's bounding box. */
  async b2bForPricing(orderId: string): Promise<{ quantity: number; material: Material; size: [number, number, number] } | undefined> {
    const row = (
      await this.db.query<{ quantity: number; material: Material; size_x: number; size_y: number; size_z: number }>(
        `SELECT o.quantity, o.material, m.size_x, m.size_y, m.size_z
         FROM b2b_orders o JOIN models m USING (order_id) WHERE o.order_id = $1`,
        [orderId],
      )
    ).rows[0];
    return row ? { quantity: row.quantity, material: row.material, size: [row.size_x, row.size_y, row.size_z] } : undefined;
  }

  /** Stores the price once, and answers with the price that stands (the first one). */
  async priceOnce(p: { orderId: string; channel: Channel; quantity: number; material: Material; volumeCm3: number; priceCents: number }): Promise<PriceRow> {
    await this.db.query(
      `INSERT INTO prices (order_id, channel, quantity, material, volume_cm3, price_cents) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (order_id) DO NOTHING`,
      [p.orderId, p.channel, p.quantity, p.material, p.volumeCm3, p.priceCents],
    );
    return (await this.db.query<PriceRow & Record<string, unknown>>('SELECT price_cents, quantity, material FROM prices WHERE order_id = $1', [p.orderId]))
      .rows[0]!;
  }

  async b2bView(orderId: string): Promise<B2bOrderView | undefined> {
    return (
      await this.db.query<B2bOrderView & Record<string, unknown>>(
        `SELECT o.order_id, o.quantity, o.material, o.created_at, m.format, m.triangles, m.size_x, m.size_y, m.size_z,
                m.bytes, p.price_cents
         FROM b2b_orders o LEFT JOIN models m USING (order_id) LEFT JOIN prices p USING (order_id)
         WHERE o.order_id = $1`,
        [orderId],
      )
    ).rows[0];
  }
}
