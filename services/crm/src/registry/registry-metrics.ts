import { Gauge, type Database, type Registry } from '@orderscope/platform';
import { OPEN_STATUSES } from '@orderscope/orders';
import { allowedRows, type AllowedWaits } from './allowed-times.js';

type StatusRow = {
  status: string;
  open: number;
  stuck: number;
  oldest_s: number | null;
};

/**
 * The registry as Prometheus sees it, read at each scrape (one query, shared by the three gauges
 * of that scrape): open orders per status (every open status from the first scrape, at 0 when
 * none waits), how long the oldest has waited, and how many wait longer than their status's
 * allowed time — what the OrdersStuck alert watches (prometheus/rules/orders.yml).
 */
export function registerRegistryMetrics(db: Database, registry: Registry, waits: AllowedWaits): void {
  let pending: Promise<Map<string, StatusRow>> | undefined;
  // The first gauge collected in a scrape runs the query; the others of that scrape reuse it.
  const params: unknown[] = [];
  const allowedFrom = allowedRows(waits, params); // the waits are fixed: built once
  const rows = () => {
    pending ??= db
      .query<StatusRow>(
        `SELECT o.status,
                count(*)::int AS open,
                count(*) FILTER (WHERE o.status_since <= now() - make_interval(secs => allowed.allowed_s))::int AS stuck,
                extract(epoch FROM now() - min(o.status_since))::float8 AS oldest_s
           FROM orders o JOIN ${allowedFrom} USING (status)
          GROUP BY o.status`,
        params,
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
  gauge('orderscope_orders_stuck', 'Open orders waiting longer than their status allows, per status.', (r) => r?.stuck ?? 0);
  gauge('orderscope_orders_oldest_age_seconds', 'How long the oldest open order has been in its status (0: none open).', (r) => r?.oldest_s ?? 0);
  const allowed = new Gauge({
    name: 'orderscope_orders_allowed_wait_seconds',
    help: 'How long an order may wait in each status before it counts as stuck (ALLOWED_MINUTES / ORDER_TIME_SCALE, at least STUCK_MIN_S).',
    labelNames: ['status'],
    registers: [registry],
  });
  for (const status of OPEN_STATUSES) allowed.set({ status }, waits[status] / 1000);
}
