import type { CallStats } from '@orderscope/platform';
import type { Channel, OrderStatus } from '../lifecycle/order-lifecycle.js';
import type { ServiceName } from '../topology.js';
import type { StoredTraceContext } from '../tracing/order-context.js';

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
