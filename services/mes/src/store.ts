import type { Queryable } from '@orderscope/platform';
import type { Material, StoredTraceContext, WorkState } from '@orderscope/orders';

export interface OperatorRow {
  operator_id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
}

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

  // --- operators ---------------------------------------------------------------------------------

  async addOperator(operatorId: string, name: string, keyHash: Buffer): Promise<OperatorRow> {
    return (
      await this.db.query<OperatorRow & Record<string, unknown>>(
        'INSERT INTO operators (operator_id, name, key_hash) VALUES ($1, $2, $3) RETURNING operator_id, name, created_at, revoked_at',
        [operatorId, name, keyHash],
      )
    ).rows[0]!;
  }

  /**
   * The operator whose key hashes to `keyHash`, revoked or not. Looked up by the hash: the timing
   * of an index look-up on a SHA-256 of a 256-bit random key tells a guesser nothing.
   */
  async operatorByKeyHash(keyHash: Buffer): Promise<OperatorRow | undefined> {
    return (
      await this.db.query<OperatorRow & Record<string, unknown>>(
        'SELECT operator_id, name, created_at, revoked_at FROM operators WHERE key_hash = $1',
        [keyHash],
      )
    ).rows[0];
  }

  async operators(): Promise<OperatorRow[]> {
    return (
      await this.db.query<OperatorRow & Record<string, unknown>>('SELECT operator_id, name, created_at, revoked_at FROM operators ORDER BY created_at')
    ).rows;
  }

  /** Revokes the operator (the first revocation's time stands); undefined when unknown. */
  async revokeOperator(operatorId: string): Promise<OperatorRow | undefined> {
    return (
      await this.db.query<OperatorRow & Record<string, unknown>>(
        `UPDATE operators SET revoked_at = COALESCE(revoked_at, now()) WHERE operator_id = $1
         RETURNING operator_id, name, created_at, revoked_at`,
        [operatorId],
      )
    ).rows[0];
  }
}
