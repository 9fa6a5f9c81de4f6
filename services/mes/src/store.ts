import type { Queryable } from '@orderscope/platform';
import type { Material, StoredTraceContext, WorkState } from '@orderscope/orders';

export type WorkOrderRow = Record<string, unknown> & { order_id: string; state: WorkState };

/** The step columns a work order records its times in. */
export type StepColumn = 'started_at' | 'completed_at' | 'packaging_at' | 'shipped_at';

/** The MES's data: the work orders the CRM hands over, and the operators' steps on them. */
export class MesStore {
  constructor(private readonly db: Queryable) {}

  async traceContext(orderId: string): Promise<StoredTraceContext | null | undefined> {
    return (
      await this.db.query<{ trace_context: StoredTraceContext | null }>('SELECT trace_context FROM work_orders WHERE order_id = $1', [orderId])
    ).rows[0]?.trace_context;
  }

  /** Idempotent: the first hand-off of an order stands. */
  async receive(orderId: string, w: { quantity: number; material: Material; traceContext: StoredTraceContext | null }): Promise<void> {
    await this.db.query(
      `INSERT INTO work_orders (order_id, quantity, material, trace_context) VALUES ($1, $2, $3, $4)
       ON CONFLICT (order_id) DO NOTHING`,
      [orderId, w.quantity, w.material, w.traceContext],
    );
  }

  async workOrder(orderId: string): Promise<WorkOrderRow | undefined> {
    return (await this.db.query<WorkOrderRow>('SELECT * FROM work_orders WHERE order_id = $1', [orderId])).rows[0];
  }

  /** The operators' queue: work orders in `state`, oldest first. */
  async queue(state: WorkState, limit: number) {
    return (
      await this.db.query(
        'SELECT order_id, quantity, material, state, received_at FROM work_orders WHERE state = $1 ORDER BY received_at LIMIT $2',
        [state, limit],
      )
    ).rows;
  }

  /** An operator's step: the new state and the step's time (the first one stands), the shipment's carrier. */
  async step(
    orderId: string,
    s: { state: WorkState; column: StepColumn; at: string; carrier?: string; trackingNumber?: string },
  ): Promise<WorkOrderRow | undefined> {
    return (
      await this.db.query<WorkOrderRow>(
        `UPDATE work_orders SET state = $2, ${s.column} = COALESCE(${s.column}, $3),
           carrier = COALESCE(carrier, $4), tracking_number = COALESCE(tracking_number, $5)
         WHERE order_id = $1 RETURNING *`,
        [orderId, s.state, s.at, s.carrier ?? null, s.trackingNumber ?? null],
      )
    ).rows[0];
  }
}
