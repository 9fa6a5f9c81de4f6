import { ConflictError, NotFoundError, type Database, type Queryable } from '@orderscope/platform';
import { checkTransition, type Channel, type OrderStatus, type RegisteredOrder, type ServiceName, type StoredTraceContext, type TransitionRecord } from '@orderscope/orders';
import { allowedRows, type AllowedWaits } from './allowed-times.js';

interface OrderRow {
  order_id: string;
  channel: Channel;
  status: OrderStatus;
  status_since: Date;
  created_at: Date;
  closed_at: Date | null;
  trace_context: StoredTraceContext | null;
}

/** A row of the order joined with one of its transitions (the transition's columns null when it has none). */
type OrderOnTransitionRow = Omit<OrderRow, 'status'> &
  Record<string, unknown> & { order_status: OrderStatus } & { [K in Exclude<keyof TransitionRow, 'order_id'>]: TransitionRow[K] | null };

interface TransitionRow {
  order_id: string;
  seq: number;
  status: OrderStatus;
  previous_status: OrderStatus | null;
  actor: ServiceName;
  operator_id: string | null;
  occurred_at: Date;
  previous_status_ms: string | null;
}

export interface ApplyInput {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly actor: ServiceName;
  /** The MES operator behind the step, by id. */
  readonly operatorId?: string;
  /** Needed when the transition creates the order; checked against the order otherwise. */
  readonly channel?: Channel;
  readonly userId?: string;
  readonly closeReason?: 'delivered' | 'manual';
  /** The order's trace context, stored by the transition that creates the order. */
  readonly traceContext?: StoredTraceContext;
}

export interface ApplyResult {
  readonly transition: TransitionRecord;
  readonly replayed: boolean;
  readonly trace_context: StoredTraceContext | null;
}

const UNIQUE_VIOLATION = '23505';

/** $1 order, $2 status, $3 previous status, $4 actor, $5 time, $6 ms in the previous status, $7 operator. */
const INSERT_TRANSITION = `INSERT INTO order_transitions (order_id, seq, status, previous_status, actor, occurred_at, previous_status_ms, operator_id)
  VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM order_transitions WHERE order_id = $1), $2, $3, $4, $5, $6, $7)
  RETURNING *`;

function toTransition(row: TransitionRow, channel: Channel, createdAt?: Date): TransitionRecord {
  return {
    order_id: row.order_id,
    seq: row.seq,
    status: row.status,
    previous_status: row.previous_status,
    actor: row.actor,
    operator_id: row.operator_id ?? null,
    channel,
    occurred_at: row.occurred_at.toISOString(),
    previous_status_ms: row.previous_status_ms === null ? null : Number(row.previous_status_ms),
    lifecycle_ms: row.status === 'CLOSED' && createdAt ? row.occurred_at.getTime() - createdAt.getTime() : null,
  };
}

/**
 * The CRM's order registry: the one answer to "where is this order?" and "which orders are stuck?".
 * Every transition of every service is applied here, under a row lock, against the order lifecycle.
 */
export class OrderRegistry {
  /** `onApplied`: told of every transition made (not of replays), once its transaction committed. */
  constructor(
    private readonly db: Database,
    private readonly onApplied?: (transition: ApplyResult['transition']) => void,
  ) {}

  async apply(input: ApplyInput): Promise<ApplyResult> {
    let result: ApplyResult;
    try {
      result = await this.db.tx((q) => this.applyIn(q, input));
    } catch (err) {
      // Two first transitions of one order at once: the loser sees the winner's row on a second try.
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      result = await this.db.tx((q) => this.applyIn(q, input));
    }
    if (!result.replayed) this.onApplied?.(result.transition);
    return result;
  }

  private async applyIn(q: Queryable, input: ApplyInput): Promise<ApplyResult> {
    const { orderId, status, actor } = input;
    const order = (await q.query<OrderRow & Record<string, unknown>>('SELECT * FROM orders WHERE order_id = $1 FOR UPDATE', [orderId]))
      .rows[0];
    if (order && input.channel && input.channel !== order.channel) {
      throw new ConflictError('channel_mismatch', `order ${orderId} is a ${order.channel} order, not ${input.channel}`);
    }
    const channel = order?.channel ?? input.channel;
    if (!channel) throw new NotFoundError(`order ${orderId} is not in the registry (a creating transition needs its channel)`);

    const check = checkTransition({ channel, current: order?.status ?? null, next: status, actor });
    if (!check.ok) {
      // Each channel's lifecycle is a path (a status is reached once), so only a transition the
      // machine refuses can be a replay: the prior row is looked up then, not on every transition.
      if (order) {
        const prior = (
          await q.query<TransitionRow & Record<string, unknown>>('SELECT * FROM order_transitions WHERE order_id = $1 AND status = $2', [
            orderId,
            status,
          ])
        ).rows[0];
        if (prior?.actor === actor) {
          return { transition: toTransition(prior, channel, order.created_at), replayed: true, trace_context: order.trace_context };
        }
      }
      throw new ConflictError(check.reason, check.message, {
        order_id: orderId,
        current_status: order?.status ?? null,
        requested_status: status,
        actor,
      });
    }

    // The order's row and its transition in one statement: one round trip under the row lock.
    const now = new Date();
    const previousMs = order ? now.getTime() - order.status_since.getTime() : null;
    const transitionParams = [orderId, status, order?.status ?? null, actor, now, previousMs, input.operatorId ?? null];
    const inserted = order
      ? await q.query<TransitionRow & Record<string, unknown>>(
          `WITH moved AS (
             UPDATE orders SET status = $2, status_since = $5,
               closed_at = CASE WHEN $2 = 'CLOSED' THEN $5 ELSE closed_at END,
               close_reason = COALESCE($8, close_reason)
             WHERE order_id = $1)
           ${INSERT_TRANSITION}`,
          [...transitionParams, input.closeReason ?? null],
        )
      : await q.query<TransitionRow & Record<string, unknown>>(
          `WITH created AS (
             INSERT INTO orders (order_id, channel, user_id, status, status_since, created_at, trace_context)
             VALUES ($1, $8, $9, $2, $5, $5, $10))
           ${INSERT_TRANSITION}`,
          [...transitionParams, channel, input.userId ?? null, input.traceContext ?? null],
        );
    return {
      transition: toTransition(inserted.rows[0]!, channel, order?.created_at ?? now),
      replayed: false,
      trace_context: order ? order.trace_context : (input.traceContext ?? null),
    };
  }

  /** The order's stored trace context, to continue its trace (null when unknown). */
  async traceContext(orderId: string): Promise<StoredTraceContext | null> {
    const row = (await this.db.query<{ trace_context: StoredTraceContext | null }>(
      'SELECT trace_context FROM orders WHERE order_id = $1',
      [orderId],
    )).rows[0];
    return row?.trace_context ?? null;
  }

  async get(orderId: string): Promise<Omit<RegisteredOrder, 'trace'>> {
    // The order and its history in one query: a row per transition, the order's columns on each.
    const rows = (
      await this.db.query<OrderOnTransitionRow>(
        `SELECT o.order_id, o.channel, o.status AS order_status, o.status_since, o.created_at, o.closed_at, o.trace_context,
                t.seq, t.status, t.previous_status, t.actor, t.operator_id, t.occurred_at, t.previous_status_ms
         FROM orders o LEFT JOIN order_transitions t USING (order_id) WHERE o.order_id = $1 ORDER BY t.seq`,
        [orderId],
      )
    ).rows;
    const order = rows[0];
    if (!order) throw new NotFoundError(`order ${orderId} is not in the registry`);
    const history = rows.filter((r): r is OrderOnTransitionRow & TransitionRow => r.seq !== null);
    return {
      order_id: order.order_id,
      channel: order.channel,
      status: order.order_status,
      status_since: order.status_since.toISOString(),
      created_at: order.created_at.toISOString(),
      closed_at: order.closed_at?.toISOString() ?? null,
      history: history.map((r) => toTransition(r, order.channel, order.created_at)),
      trace_context: order.trace_context,
    };
  }

  /**
   * Orders, oldest in their status first; with `stuck`, only open orders waiting longer than
   * those waits allow (per status: the CRM's allowed times, or one threshold for all).
   */
  async list(filter: { status?: OrderStatus; channel?: Channel; stuck?: AllowedWaits; limit: number }) {
    const where: string[] = [];
    const params: unknown[] = [];
    let from = 'orders o';
    if (filter.status) where.push(`o.status = $${params.push(filter.status)}`);
    if (filter.channel) where.push(`o.channel = $${params.push(filter.channel)}`);
    if (filter.stuck) {
      from += ` JOIN ${allowedRows(filter.stuck, params)} USING (status)`;
      where.push(`o.status_since <= now() - make_interval(secs => allowed.allowed_s)`);
    }
    const rows = await this.db.query<OrderRow & Record<string, unknown>>(
      `SELECT o.order_id, o.channel, o.status, o.status_since, o.created_at, o.closed_at, o.trace_context FROM ${from}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY o.status_since LIMIT $${params.push(filter.limit)}`,
      params,
    );
    const now = Date.now();
    return rows.rows.map((o) => ({
      order_id: o.order_id,
      channel: o.channel,
      status: o.status,
      status_since: o.status_since.toISOString(),
      in_status_ms: now - o.status_since.getTime(),
      created_at: o.created_at.toISOString(),
      closed_at: o.closed_at?.toISOString() ?? null,
      trace_context: o.trace_context,
    }));
  }
}
