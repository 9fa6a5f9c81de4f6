import type { Queryable } from '@orderscope/platform';
import type { Material } from '@orderscope/orders';

/** The CRM's own records beside the registry: manufacturing approvals and the carrier's deliveries. */
export class CrmStore {
  constructor(private readonly db: Queryable) {}

  /** The first approval of an order stands (a re-approval is a retry). */
  async approve(orderId: string, a: { quantity: number; material: Material; priceCents: number; at: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO approvals (order_id, quantity, material, price_cents, approved_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (order_id) DO NOTHING`,
      [orderId, a.quantity, a.material, a.priceCents, a.at],
    );
  }

  /** What the CRM approved for manufacturing: what a repeated hand-off sends again. */
  async approval(orderId: string): Promise<{ quantity: number; material: Material; price_cents: number; handed_to_mes_at: Date | null } | undefined> {
    const r = await this.db.query<{ quantity: number; material: Material; price_cents: number; handed_to_mes_at: Date | null }>(
      'SELECT quantity, material, price_cents::int AS price_cents, handed_to_mes_at FROM approvals WHERE order_id = $1',
      [orderId],
    );
    return r.rows[0];
  }

  async markHandedToMes(orderId: string): Promise<void> {
    await this.db.query('UPDATE approvals SET handed_to_mes_at = COALESCE(handed_to_mes_at, now()) WHERE order_id = $1', [orderId]);
  }

  /** The first delivery message of an order stands. */
  async delivered(orderId: string, d: { trackingNumber: string; deliveredAt: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO deliveries (order_id, tracking_number, delivered_at, received_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (order_id) DO NOTHING`,
      [orderId, d.trackingNumber, d.deliveredAt],
    );
  }
}
