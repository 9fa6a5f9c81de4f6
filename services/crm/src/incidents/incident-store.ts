import type { Queryable } from '@orderscope/platform';
import type { WebhookAlert } from './alertmanager-webhook.js';

export interface Incident {
  readonly fingerprint: string;
  readonly alertname: string;
  readonly status: 'firing' | 'resolved';
  readonly severity: string | null;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly starts_at: string;
  readonly ends_at: string | null;
  readonly first_seen_at: string;
  readonly last_seen_at: string;
}

/** Go's zero time, which Alertmanager sends as endsAt of an alert without an end. */
const endOf = (a: WebhookAlert) => (a.endsAt && !a.endsAt.startsWith('0001-') ? a.endsAt : null);

/** The incidents Alertmanager reported: a repeated notification updates, never duplicates. */
export class IncidentStore {
  constructor(private readonly db: Queryable) {}

  async record(alerts: readonly WebhookAlert[]): Promise<void> {
    for (const a of alerts) {
      await this.db.query(
        `INSERT INTO incidents (fingerprint, starts_at, alertname, status, severity, labels, annotations, ends_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (fingerprint, starts_at) DO UPDATE
           SET status = EXCLUDED.status, annotations = EXCLUDED.annotations, ends_at = EXCLUDED.ends_at, last_seen_at = now()`,
        [a.fingerprint, a.startsAt, a.labels.alertname, a.status, a.labels.severity ?? null, a.labels, a.annotations, endOf(a)],
      );
    }
  }

  async list(filter: { status?: 'firing' | 'resolved'; alertname?: string; limit: number }): Promise<Incident[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (filter.alertname) where.push(`alertname = $${params.push(filter.alertname)}`);
    const r = await this.db.query<Incident & Record<string, unknown>>(
      `SELECT fingerprint, alertname, status, severity, labels, annotations,
              to_json(starts_at) #>> '{}' AS starts_at, to_json(ends_at) #>> '{}' AS ends_at,
              to_json(first_seen_at) #>> '{}' AS first_seen_at, to_json(last_seen_at) #>> '{}' AS last_seen_at
         FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY last_seen_at DESC LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return r.rows;
  }
}
