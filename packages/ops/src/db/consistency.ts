import type pg from 'pg';
import { ORDER_STATUSES, pathOf, type Channel, type OrderStatus, type ServiceName } from '@orderscope/orders';
import { CONSISTENCY_BATCH, heldOrderPages, pagesOf, schemaOf as schema } from './consistency-pages.js';

/**
 * Does every service's own record of an order agree with the CRM's order registry (the one
 * source of truth)? Each service keeps the part of the order it owns; the lifecycle says which
 * part must exist once the order reached a status. Run it when no step is in flight: a step is
 * written to the registry first, then to the service's table, so an order checked mid-step may
 * differ for a moment (checkConsistency's `settleMs` re-checks those before calling them wrong).
 */
export interface Inconsistency {
  readonly order_id: string;
  /** Whose record disagrees: a service, or `registry` for the registry's own history. */
  readonly where: ServiceName | 'registry';
  readonly problem: string;
}

export interface ConsistencyReport {
  readonly orders: number;
  readonly by_status: Readonly<Record<string, number>>;
  readonly problems: readonly Inconsistency[];
}

/** What the services hold of one order, as read from their schemas. */
interface OrderFacts {
  registry?: { channel: Channel; status: OrderStatus; history: OrderStatus[]; seqs: number[]; closeReason: string | null };
  shop?: { model: boolean; submitted: boolean; priced: boolean };
  mesApi?: { b2b: boolean; model: boolean };
  price: boolean;
  approval?: { handedOff: boolean };
  delivery: boolean;
  workOrder?: { state: string; shipped: boolean };
}

const rank = (s: OrderStatus) => ORDER_STATUSES.indexOf(s);
const reached = (status: OrderStatus, step: OrderStatus) => rank(status) >= rank(step);

/** The work order's state each status implies (the MES's steps), from MANUFACTURING_APPROVED on. */
const WORK_STATE: Partial<Record<OrderStatus, string>> = {
  MANUFACTURING_APPROVED: 'queued',
  MANUFACTURING_STARTED: 'in_progress',
  MANUFACTURING_COMPLETED: 'completed',
  PACKAGING: 'packaging',
  SHIPPED: 'shipped',
  CLOSED: 'shipped',
};

/** What each service must (and must not) hold of an order in `status`: the lifecycle as rules. */
function rules(id: string, f: OrderFacts): Inconsistency[] {
  const out: Inconsistency[] = [];
  const bad = (where: Inconsistency['where'], problem: string) => out.push({ order_id: id, where, problem });
  const r = f.registry;
  if (!r) {
    const holders = [f.shop && 'shop', f.mesApi && 'mes-api', f.workOrder && 'mes'].filter(Boolean).join(', ');
    bad('registry', `unknown to the registry, but held by ${holders}: an order lost`);
    return out;
  }
  const path = pathOf(r.channel);
  const upTo = path.indexOf(r.status);
  if (upTo < 0 || r.history.length !== upTo + 1 || r.history.some((s, i) => s !== path[i])) {
    bad('registry', `history ${r.history.join(' → ')} is not the ${r.channel} path up to ${r.status}`);
  }
  if (r.seqs.some((s, i) => s !== i + 1)) bad('registry', `transition numbers ${r.seqs.join(',')} have gaps`);
  const must = (where: ServiceName, holds: boolean, what: string, from: OrderStatus) => {
    const should = path.includes(from) && reached(r.status, from);
    if (holds !== should) bad(where, `${should ? 'missing' : 'unexpected'}: ${what} (registry: ${r.status})`);
  };
  if (r.channel === 'b2c') {
    if (!f.shop) bad('shop', `no order row for a b2c order in ${r.status}`);
    else {
      must('shop', f.shop.model, 'the model', 'FILE_UPLOADED');
      must('shop', f.shop.submitted, 'the submission', 'SUBMITTED');
      must('shop', f.shop.priced, 'the price', 'PRICE_CALCULATED');
    }
    if (f.mesApi) bad('mes-api', 'a b2b order row for a b2c order');
  } else {
    if (f.shop) bad('shop', 'a shop order row for a b2b order');
    if (!f.mesApi?.b2b || !f.mesApi.model) bad('mes-api', `no b2b order or model for a b2b order in ${r.status}`);
  }
  must('mes-api', f.price, 'the price', 'PRICE_CALCULATED');
  must('crm', f.approval !== undefined, 'the approval', 'MANUFACTURING_APPROVED');
  must('mes', f.workOrder !== undefined, 'the work order', 'MANUFACTURING_APPROVED');
  if (f.approval && !f.approval.handedOff && reached(r.status, 'MANUFACTURING_STARTED')) {
    bad('crm', `the approval is not marked as handed to the MES, which has moved it to ${r.status}`);
  }
  // The carrier's delivery is what closes an order (but for one closed by hand).
  if (r.closeReason !== 'manual') must('crm', f.delivery, 'the delivery', 'CLOSED');
  const expected = WORK_STATE[r.status];
  if (f.workOrder && expected && f.workOrder.state !== expected) {
    bad('mes', `work order ${f.workOrder.state}, the registry says ${r.status} (expected ${expected})`);
  }
  return out;
}

/** Reads every service's facts about these orders. */
async function readFacts(db: pg.ClientBase, ids: readonly string[]): Promise<Map<string, OrderFacts>> {
  const facts = new Map<string, OrderFacts>();
  const get = (id: string) => facts.get(id) ?? facts.set(id, { price: false, delivery: false }).get(id)!;
  const q = async <T extends pg.QueryResultRow>(sql: string) => (await db.query<T>(sql, [ids])).rows;
  const crm = schema('crm');
  for (const row of await q<{ order_id: string; channel: Channel; status: OrderStatus; history: OrderStatus[] | null; seqs: number[] | null; close_reason: string | null }>(
    `SELECT o.order_id, o.channel, o.status,
            array_agg(t.status ORDER BY t.seq) FILTER (WHERE t.seq IS NOT NULL) AS history,
            array_agg(t.seq ORDER BY t.seq) FILTER (WHERE t.seq IS NOT NULL) AS seqs, o.close_reason
       FROM ${crm}.orders o LEFT JOIN ${crm}.order_transitions t USING (order_id)
      WHERE o.order_id = ANY($1::uuid[]) GROUP BY o.order_id, o.close_reason`,
  )) {
    get(row.order_id).registry = { channel: row.channel, status: row.status, history: row.history ?? [], seqs: row.seqs ?? [], closeReason: row.close_reason };
  }
  for (const row of await q<{ order_id: string; handed: boolean }>(
    `SELECT order_id, handed_to_mes_at IS NOT NULL AS handed FROM ${crm}.approvals WHERE order_id = ANY($1::uuid[])`)) {
    get(row.order_id).approval = { handedOff: row.handed };
  }
  for (const row of await q<{ order_id: string }>(`SELECT order_id FROM ${crm}.deliveries WHERE order_id = ANY($1::uuid[])`)) {
    get(row.order_id).delivery = true;
  }
  const shop = schema('shop');
  for (const row of await q<{ order_id: string; model: boolean; submitted: boolean; priced: boolean }>(
    `SELECT o.order_id, m.order_id IS NOT NULL AS model, o.submitted_at IS NOT NULL AS submitted, o.price_cents IS NOT NULL AS priced
       FROM ${shop}.orders o LEFT JOIN ${shop}.models m USING (order_id) WHERE o.order_id = ANY($1::uuid[])`)) {
    get(row.order_id).shop = { model: row.model, submitted: row.submitted, priced: row.priced };
  }
  const mesApi = schema('mes-api');
  for (const row of await q<{ order_id: string; model: boolean }>(
    `SELECT b.order_id, m.order_id IS NOT NULL AS model FROM ${mesApi}.b2b_orders b LEFT JOIN ${mesApi}.models m USING (order_id)
      WHERE b.order_id = ANY($1::uuid[])`)) {
    get(row.order_id).mesApi = { b2b: true, model: row.model };
  }
  for (const row of await q<{ order_id: string }>(`SELECT order_id FROM ${mesApi}.prices WHERE order_id = ANY($1::uuid[])`)) {
    get(row.order_id).price = true;
  }
  const mes = schema('mes');
  for (const row of await q<{ order_id: string; state: string; shipped: boolean }>(
    `SELECT order_id, state, shipped_at IS NOT NULL AS shipped FROM ${mes}.work_orders WHERE order_id = ANY($1::uuid[])`)) {
    get(row.order_id).workOrder = { state: row.state, shipped: row.shipped };
  }
  return facts;
}

export interface ConsistencyOptions {
  /** Only these orders. */
  readonly orderIds?: readonly string[];
  /** Only orders some service made a record of since then (default: all). */
  readonly since?: Date;
  /** Orders that disagree are read again after this long (a step may have been in flight). */
  readonly settleMs?: number;
  /** How many orders are read at once (default CONSISTENCY_BATCH); the report is the same for any. */
  readonly batchSize?: number;
}

/** Checks every order's records across the services against the registry, a page of orders at a time. */
export async function checkConsistency(db: pg.ClientBase, opts: ConsistencyOptions = {}): Promise<ConsistencyReport> {
  const size = opts.batchSize ?? CONSISTENCY_BATCH;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batchSize wants a whole number ≥ 1, got ${size}`);
  const pages = opts.orderIds ? pagesOf([...new Set(opts.orderIds)], size) : heldOrderPages(db, opts.since ?? null, size);
  let orders = 0;
  const byStatus: Record<string, number> = {};
  const count = (f: OrderFacts) => {
    if (f.registry) byStatus[f.registry.status] = (byStatus[f.registry.status] ?? 0) + 1;
  };
  const problems: Inconsistency[] = [];
  // Kept past their page: the orders that disagree (to read again once settled), and the ids no
  // service holds (reported last).
  const unsettled = new Map<string, OrderFacts>();
  const lost: string[] = [];
  for await (const ids of pages) {
    orders += ids.length;
    const facts = await readFacts(db, ids);
    for (const id of ids) {
      const f = facts.get(id);
      if (!f) {
        lost.push(id);
        continue;
      }
      const found = rules(id, f);
      if (found.length && opts.settleMs) unsettled.set(id, f);
      else {
        problems.push(...found);
        count(f);
      }
    }
  }
  if (unsettled.size) {
    await new Promise((r) => setTimeout(r, opts.settleMs));
    for (const ids of pagesOf([...unsettled.keys()], size)) {
      const again = await readFacts(db, ids);
      for (const id of ids) {
        // One gone meanwhile is counted as first read, and not called wrong.
        const f = again.get(id);
        if (f) problems.push(...rules(id, f));
        count(f ?? unsettled.get(id)!);
      }
    }
  }
  // Orders asked for by id that no service holds at all.
  for (const id of lost) problems.push({ order_id: id, where: 'registry', problem: 'held by no service: an order lost' });
  return { orders, by_status: byStatus, problems };
}
