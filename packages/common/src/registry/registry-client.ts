import type { Channel, OrderStatus } from '../lifecycle/order-lifecycle.js';
import type { ServiceName } from '../services.js';
import type { CallStats, ServiceClient } from '../http/client.js';
import type { StoredTraceContext } from '../telemetry/order-context.js';
import { tracedTransition } from '../telemetry/tracing.js';

/** One status change as the CRM's order registry stores it. */
export interface TransitionRecord {
  readonly order_id: string;
  readonly seq: number;
  readonly status: OrderStatus;
  readonly previous_status: OrderStatus | null;
  readonly actor: ServiceName;
  readonly channel: Channel;
  readonly occurred_at: string;
  /** Milliseconds the order spent in previous_status. */
  readonly previous_status_ms: number | null;
  /** At CLOSED: milliseconds from the order's first transition to its last. */
  readonly lifecycle_ms: number | null;
}

export interface RegisteredOrder {
  readonly order_id: string;
  readonly channel: Channel;
  readonly status: OrderStatus;
  readonly status_since: string;
  readonly created_at: string;
  readonly closed_at: string | null;
  readonly history: TransitionRecord[];
  readonly trace_context: StoredTraceContext | null;
  /** The order's trace: its id and where to open it in Jaeger (null if it has none). */
  readonly trace: TraceLink | null;
}

export interface TraceLink {
  readonly trace_id: string;
  readonly jaeger_url: string;
}

export interface RecordedTransition {
  readonly transition: TransitionRecord;
  /** True when the registry already had this transition (a retry): nothing was written. */
  readonly replayed: boolean;
  /** The order's stored trace context (see docs/tracing.md). */
  readonly trace_context: StoredTraceContext | null;
  readonly call: CallStats;
}

/**
 * The registry as the other services see it: they record each transition they make there, and the
 * registry refuses (409) what the order lifecycle does not allow.
 */
export class RegistryClient {
  constructor(
    private readonly actor: ServiceName,
    private readonly crm: ServiceClient,
  ) {}

  /** Records a transition; the first of an order also gives its channel, customer and trace context. */
  async record(
    orderId: string,
    status: OrderStatus,
    extra: { channel?: Channel; userId?: string; traceContext?: StoredTraceContext | null } = {},
  ): Promise<RecordedTransition> {
    return tracedTransition(status, async () => {
      const result = await this.crm.send<{ transition: TransitionRecord; replayed: boolean; trace_context: StoredTraceContext | null }>(
        'PUT',
        `/internal/registry/orders/${encodeURIComponent(orderId)}/transitions/${status}`,
        { json: { actor: this.actor, channel: extra.channel, user_id: extra.userId, trace_context: extra.traceContext ?? undefined } },
      );
      const { status: _s, body, ...call } = result;
      return { transition: body.transition, replayed: body.replayed, trace_context: body.trace_context, call };
    });
  }

  async get(orderId: string): Promise<RegisteredOrder> {
    const result = await this.crm.send<RegisteredOrder>('GET', `/registry/orders/${encodeURIComponent(orderId)}`);
    return result.body;
  }
}
