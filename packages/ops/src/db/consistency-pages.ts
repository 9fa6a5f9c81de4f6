import type pg from 'pg';
import { SERVICES, type ServiceName } from '@orderscope/orders';

/**
 * Which orders the consistency check reads, a bounded page at a time: however many orders the
 * stack holds, no query answers with (and no step keeps) more than one page of them.
 */

/** How many orders the check reads at once, unless told otherwise. */
export const CONSISTENCY_BATCH = 500;

export const schemaOf = (s: ServiceName) => SERVICES[s].dbSchema;

/** Every table that holds orders, with the time its rows are made: which orders to check. */
const HOLDERS: ReadonlyArray<readonly [ServiceName, string, string]> = [
  ['crm', 'orders', 'created_at'],
  ['shop', 'orders', 'created_at'],
  ['mes-api', 'b2b_orders', 'created_at'],
  ['mes-api', 'prices', 'calculated_at'],
  ['mes', 'work_orders', 'received_at'],
];

/**
 * The first `size` ids (in id order) after `after` of the orders any service holds (made since
 * `since`, if given). Each table is limited on its own too, so each walks its primary key for
 * one page instead of the union sorting every id.
 */
async function idsAfter(db: pg.ClientBase, since: Date | null, after: string | null, size: number): Promise<string[]> {
  const params: unknown[] = [size];
  const sinceParam = since && `$${params.push(since)}`;
  const afterParam = after && `$${params.push(after)}`;
  const page = ([s, table, time]: readonly [ServiceName, string, string]) => {
    const where = [sinceParam && `${time} >= ${sinceParam}`, afterParam && `order_id > ${afterParam}`].filter(Boolean);
    return `(SELECT order_id FROM ${schemaOf(s)}.${table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY order_id LIMIT $1)`;
  };
  const sql = `${HOLDERS.map(page).join(' UNION ')} ORDER BY order_id LIMIT $1`;
  return (await db.query<{ order_id: string }>(sql, params)).rows.map((r) => r.order_id);
}

/** Every order any service holds (made since `since`, if given), in pages: keyset pagination on the id. */
export async function* heldOrderPages(db: pg.ClientBase, since: Date | null, size: number): AsyncGenerator<string[]> {
  for (let after: string | null = null; ; ) {
    const ids = await idsAfter(db, since, after, size);
    if (ids.length) yield ids;
    if (ids.length < size) return;
    after = ids.at(-1)!;
  }
}

/** Ids the caller already has, in pages of `size` (the same bound on each query). */
export function* pagesOf(ids: readonly string[], size: number): Generator<string[]> {
  for (let i = 0; i < ids.length; i += size) yield ids.slice(i, i + size);
}
