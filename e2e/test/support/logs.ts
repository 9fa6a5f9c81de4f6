import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { componentFetch } from './secure.js';
import { LOGS_URL, root } from './stack.js';

/** One record as VictoriaLogs returns it: every field a string. */
export type LogRecord = Record<string, string>;

/** A LogsQL query at the log store (as Grafana asks it: natively over mTLS, in compose through the login). */
export async function logsQuery(query: string, limit = 10_000): Promise<LogRecord[]> {
  const res = await componentFetch(`${LOGS_URL}/select/logsql/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query, limit: String(limit) }).toString(),
  });
  if (!res.ok) throw new Error(`logs ${query}: ${res.status} ${await res.text()}`);
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogRecord);
}

/** How many records of each service match `query` in the store. */
export async function storedPerService(query: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await logsQuery(`${query} | stats by (service.name) count() n`)) out[r['service.name']!] = Number(r.n);
  return out;
}

/**
 * What the services wrote to stdout (natively .local/logs/<service>.log) whose `field` is `value`,
 * per service: pino writes each record to stdout and to the OTLP stream at once, so this is what
 * the store must hold.
 */
export function writtenPerService(services: readonly string[], field: 'order_id' | 'trace_id', value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const service of services) {
    const lines = readFileSync(resolve(root, `.local/logs/${service}.log`), 'utf8').split('\n');
    const n = lines.filter((l) => l.includes(value) && l.startsWith('{') && (JSON.parse(l) as Record<string, unknown>)[field] === value).length;
    if (n > 0) out[service] = n;
  }
  return out;
}
