import { Gauge, type Database, type Registry } from '@orderscope/platform';
import { ORDER_STATUSES, isTerminal } from '@orderscope/orders';

/** The statuses an order can wait in: every series exists, at 0, from the first scrape. */
const OPEN_STATUSES = ORDER_STATUSES.filter((s) => !isTerminal(s));

type StatusRow = {
  status: string;
  open: number;
  stuck: number;
  oldest_s: number | null;
};

/**
 * The registry as Prometheus sees it, read at each scrape (one query, shared by the three gauges
 * of that scrape): open orders per status, how long the oldest has waited, and how many wait
 * longer than STUCK_AFTER_S — what the OrdersStuck alert watches (prometheus/rules/orders.yml).
 */
export function registerRegistryMetrics(db: Database, registry: Registry, stuckAfterMs: number): void {
  let pending: Promise<Map<string, StatusRow>> | undefined;
  // The first gauge collected in a scrape runs the query; the others of that scrape reuse it.
  const rows = () => {
    pending ??= db
      .query<StatusRow>(
        `SELECT status,
                count(*)::int AS open,
                count(*) FILTER (WHERE status_since <= now() - make_interval(secs => $1))::int AS stuck,
                extract(epoch FROM now() - min(status_since))::float8 AS oldest_s
           FROM orders WHERE status <> 'CLOSED' GROUP BY status`,
        [stuckAfterMs / 1000],
      )
      .then((r) => new Map(r.rows.map((row) => [row.status, row])))
      .finally(() => setTimeout(() => (pending = undefined), 1000).unref());
    return pending;
  };
  const gauge = (name: string, help: string, value: (row: StatusRow | undefined) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const byStatus = await rows();
        for (const status of OPEN_STATUSES) this.set({ status }, value(byStatus.get(status)));
      },
    });
  gauge('orderscope_orders_open', 'Open orders in the registry, per current status.', (r) => r?.open ?? 0);
  gauge('orderscope_orders_stuck', 'Open orders that have not moved for STUCK_AFTER_S or longer, per status.', (r) => r?.stuck ?? 0);
  gauge('orderscope_orders_oldest_age_seconds', 'How long the oldest open order has been in its status (0: none open).', (r) => r?.oldest_s ?? 0);
  new Gauge({
    name: 'orderscope_orders_stuck_after_seconds',
    help: 'The age at which an open order counts as stuck (STUCK_AFTER_S).',
    registers: [registry],
  }).set(stuckAfterMs / 1000);
}
