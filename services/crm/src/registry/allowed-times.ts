import { OPEN_STATUSES, type OpenStatus } from '@orderscope/orders';
import type { Database } from '@orderscope/platform';

export type AllowedWaits = Readonly<Record<OpenStatus, number>>;

/** The same threshold for every status (an on-demand scan's `older_than_s`). */
export function uniformWaits(ms: number): AllowedWaits {
  return Object.fromEntries(OPEN_STATUSES.map((s) => [s, ms])) as Record<OpenStatus, number>;
}

/**
 * A FROM item `allowed(status, allowed_s)` from two query parameters, so the registry's queries
 * apply the CRM's configured waits without a table they could disagree with.
 */
export function allowedRows(waits: AllowedWaits, params: unknown[]): string {
  const statuses = params.push(OPEN_STATUSES);
  const seconds = params.push(OPEN_STATUSES.map((s) => waits[s] / 1000));
  return `unnest($${statuses}::text[], $${seconds}::float8[]) AS allowed(status, allowed_s)`;
}

/**
 * Publishes the waits in force for the reports (Grafana's order lookup compares each step with its
 * allowed time); written at every start, so it says what this CRM applies.
 */
export async function publishAllowedWaits(db: Database, waits: AllowedWaits): Promise<void> {
  const params: unknown[] = [];
  const rows = allowedRows(waits, params);
  await db.query(
    `INSERT INTO status_allowed_times (status, allowed_s, updated_at)
       SELECT status, allowed_s, now() FROM ${rows}
     ON CONFLICT (status) DO UPDATE SET allowed_s = EXCLUDED.allowed_s, updated_at = EXCLUDED.updated_at`,
    params,
  );
}
