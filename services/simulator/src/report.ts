import { type ServiceClient } from '@orderscope/platform';
import { pathOf, type Channel, type OrderStatus, type RegisteredOrder } from '@orderscope/orders';
import type { OrderRun } from './simulation.js';
import type { OrderReport } from './summary.js';

/** True when `history` is exactly the channel's path up to and including `status`. */
export function historyMatches(channel: Channel, history: readonly OrderStatus[], status: OrderStatus): boolean {
  const expected = pathOf(channel);
  const upTo = expected.indexOf(status);
  return upTo >= 0 && history.length === upTo + 1 && history.every((s, i) => s === expected[i]);
}

/**
 * An order's line in the report. With `registry`, its final status and history come from the CRM's
 * order registry (the one source of truth); without it (or when the registry does not answer),
 * from what the simulator last saw.
 */
export async function reportOrder(run: OrderRun, endedAt: number, registry?: ServiceClient): Promise<OrderReport> {
  let status: OrderStatus | 'NOT_CREATED' = run.status ?? 'NOT_CREATED';
  let historyOk: boolean | undefined;
  let stalledMs: number | undefined;
  let registryError: string | undefined;
  if (run.orderId && registry) {
    try {
      const { body } = await registry.send<RegisteredOrder>('GET', `/registry/orders/${run.orderId}`);
      status = body.status;
      historyOk = historyMatches(body.channel, body.history.map((h) => h.status), body.status);
      if (body.status !== 'CLOSED') stalledMs = Math.max(0, Date.now() - Date.parse(body.status_since));
    } catch (err) {
      registryError = `registry: ${(err as Error).message}`;
    }
  }
  const end = run.finishedAt ?? endedAt;
  const totalMs = run.startedAt === undefined ? 0 : Math.round(end - run.startedAt);
  const error = run.error ?? (run.startedAt === undefined ? 'not started before the deadline' : registryError);
  return {
    order_id: run.orderId,
    channel: run.channel,
    status,
    stuck: status !== 'CLOSED',
    retries: run.retries,
    timings: { total_ms: totalMs, ...run.timings },
    ...(historyOk !== undefined ? { history_ok: historyOk } : {}),
    ...(stalledMs !== undefined ? { stalled_ms: stalledMs } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}

/** Runs `fn` over `items` with at most `limit` at once, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
