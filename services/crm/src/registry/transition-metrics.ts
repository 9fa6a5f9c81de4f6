import { CHANNELS, ORDER_STATUSES, type TransitionRecord } from '@orderscope/orders';
import { Counter, Histogram, type Registry } from '@orderscope/platform';

/**
 * Buckets of the time an order spends in a status, in seconds: from a second (the services' own
 * steps) to two days (an order waiting for the carrier).
 */
export const STATUS_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 48 * 3600];

/**
 * Every transition the registry makes, as Prometheus counts it: orders entering each status per
 * channel (every pair at 0 from the start, so "no order reached PACKAGING" is a value), and how long
 * the order spent in the status it left.
 */
export function transitionMetrics(registry: Registry): (t: TransitionRecord) => void {
  const entered = new Counter({
    name: 'orderscope_order_transitions_total',
    help: 'Orders entering a status, per channel (the registry\'s transitions; replays not counted).',
    labelNames: ['status', 'channel'],
    registers: [registry],
  });
  const inStatus = new Histogram({
    name: 'orderscope_order_status_duration_seconds',
    help: 'Time an order spent in a status before it left it, per channel.',
    labelNames: ['status', 'channel'],
    buckets: STATUS_DURATION_BUCKETS,
    registers: [registry],
  });
  for (const status of ORDER_STATUSES) for (const channel of CHANNELS) entered.inc({ status, channel }, 0);
  return (t) => {
    entered.inc({ status: t.status, channel: t.channel });
    if (t.previous_status && t.previous_status_ms !== null) {
      inStatus.observe({ status: t.previous_status, channel: t.channel }, t.previous_status_ms / 1000);
    }
  };
}
