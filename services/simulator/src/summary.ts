import type { Channel, OrderStatus } from '@orderscope/orders';

/** One order in the simulator's report. */
export interface OrderReport {
  /** Null when the order could not even be created. */
  readonly order_id: string | null;
  readonly channel: Channel;
  /** The registry's status at the end (the last one seen when the registry could not be asked). */
  readonly status: OrderStatus | 'NOT_CREATED';
  /** True for every order that did not reach CLOSED. */
  readonly stuck: boolean;
  /** Extra HTTP attempts made for this order: client retries plus customers' re-submits, operators' and carrier's re-tries. */
  readonly retries: number;
  /**
   * Milliseconds: total_ms from the first request until CLOSED (or until given up), and one entry
   * per milestone reached, from the previous milestone (they add up to total_ms).
   */
  readonly timings: Readonly<Record<string, number>>;
  /** True when the registry's history lists exactly the channel's transitions up to `status`, in order. */
  readonly history_ok?: boolean;
  /** For a stuck order: how long the registry has had it in `status`. */
  readonly stalled_ms?: number;
  /** Why the order's flow stopped: the step that failed for good and its last error. */
  readonly error?: string;
}

export interface Summary {
  readonly total: number;
  readonly by_status: Readonly<Record<string, number>>;
  readonly by_channel: Readonly<Record<Channel, number>>;
  readonly closed: number;
  readonly stuck: number;
  readonly errors: number;
  readonly retries: number;
  /** Percentiles of total_ms over the CLOSED orders (null when none closed). */
  readonly p50_total_ms: number | null;
  readonly p95_total_ms: number | null;
  readonly max_total_ms: number | null;
  readonly wall_ms: number;
}

/** Nearest-rank percentile (p in 0..100) of `values`; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function summarize(orders: readonly OrderReport[], wallMs: number): Summary {
  const byStatus: Record<string, number> = {};
  const byChannel: Record<Channel, number> = { b2c: 0, b2b: 0 };
  for (const o of orders) {
    byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
    byChannel[o.channel] += 1;
  }
  const closedTotals = orders.filter((o) => o.status === 'CLOSED').map((o) => o.timings.total_ms ?? 0);
  return {
    total: orders.length,
    by_status: byStatus,
    by_channel: byChannel,
    closed: closedTotals.length,
    stuck: orders.filter((o) => o.stuck).length,
    errors: orders.filter((o) => o.error !== undefined).length,
    retries: orders.reduce((n, o) => n + o.retries, 0),
    p50_total_ms: percentile(closedTotals, 50),
    p95_total_ms: percentile(closedTotals, 95),
    max_total_ms: percentile(closedTotals, 100),
    wall_ms: Math.round(wallMs),
  };
}

/** Which orders of a run of `n` go through the B2B channel: spread evenly, both channels when n ≥ 2 and 0 < share < 1. */
export function assignChannels(n: number, b2bShare: number): Channel[] {
  let b2b = Math.round(n * b2bShare);
  if (n >= 2 && b2bShare > 0 && b2bShare < 1) b2b = Math.min(n - 1, Math.max(1, b2b));
  return Array.from({ length: n }, (_, i) => (Math.floor(((i + 1) * b2b) / n) > Math.floor((i * b2b) / n) ? 'b2b' : 'b2c'));
}
