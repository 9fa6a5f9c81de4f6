import { NotFoundError, parseInput, requireBearer } from '@orderscope/platform';
import { MATERIALS, orderTableResolver, withOrder, type OrderStatus } from '@orderscope/orders';
import { type ServiceRuntime } from '@orderscope/service-kit';
import express, { type Router } from 'express';
import { z } from 'zod';

const orderParams = z.object({ orderId: z.uuid() });
const WORK_STATES = ['queued', 'in_progress', 'completed', 'packaging', 'shipped'] as const;

/** An operator's step: the order status it sets, the work order state and time column it moves. */
const STEPS = {
  start: { status: 'MANUFACTURING_STARTED', state: 'in_progress', column: 'started_at' },
  complete: { status: 'MANUFACTURING_COMPLETED', state: 'completed', column: 'completed_at' },
  package: { status: 'PACKAGING', state: 'packaging', column: 'packaging_at' },
  ship: { status: 'SHIPPED', state: 'shipped', column: 'shipped_at' },
} as const satisfies Record<string, { status: OrderStatus; state: (typeof WORK_STATES)[number]; column: string }>;

/** Operators' requests about a work order continue the order's stored trace. */
export const mesOrderResolver = (rt: ServiceRuntime) =>
  orderTableResolver(rt.db, 'work_orders');

/**
 * The MES: takes approved orders from the CRM into the operators' queue; operators start,
 * complete, pack and ship them.
 */
export function mesRoutes(rt: ServiceRuntime): Router {
  const router = express.Router();

  async function workOrder(orderId: string) {
    const row = (await rt.db.query('SELECT * FROM work_orders WHERE order_id = $1', [orderId])).rows[0];
    if (!row) throw new NotFoundError(`no work order for order ${orderId}`);
    return row;
  }

  // Hand-off from the CRM. Idempotent: the CRM repeats it until it gets an answer.
  router.put('/internal/work-orders/:orderId', requireBearer(rt.config.internalApiToken), async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    const body = parseInput(
      z.object({
        quantity: z.number().int().min(1).max(10_000),
        material: z.enum(MATERIALS),
        trace_context: z.object({ traceparent: z.string().max(64), baggage: z.string().max(2048).optional() }).nullish(),
      }),
      req.body,
    );
    // The "lost orders" fault: accepted, then forgotten — the order silently stops moving.
    if (rt.faults.shouldDrop()) {
      res.status(202).json({ order_id: orderId, state: 'queued' });
      return;
    }
    await rt.db.query(
      `INSERT INTO work_orders (order_id, quantity, material, trace_context) VALUES ($1, $2, $3, $4)
       ON CONFLICT (order_id) DO NOTHING`,
      [orderId, body.quantity, body.material, body.trace_context ?? null],
    );
    const row = await workOrder(orderId);
    res.status(202).json({ order_id: orderId, state: row.state });
  });

  // The operators' queue.
  router.get('/work-orders', async (req, res) => {
    const query = parseInput(
      z.object({ state: z.enum(WORK_STATES).default('queued'), limit: z.coerce.number().int().min(1).max(500).default(50) }),
      req.query,
    );
    const rows = await rt.db.query(
      'SELECT order_id, quantity, material, state, received_at FROM work_orders WHERE state = $1 ORDER BY received_at LIMIT $2',
      [query.state, query.limit],
    );
    res.json({ work_orders: rows.rows });
  });

  router.get('/work-orders/:orderId', async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    res.json(await workOrder(orderId));
  });

  for (const [step, { status, state, column }] of Object.entries(STEPS)) {
    router.post(`/work-orders/:orderId/${step}`, async (req, res) => {
      const { orderId } = parseInput(orderParams, req.params);
      await withOrder(orderId, async () => {
        const shipment =
          step === 'ship'
            ? parseInput(z.object({ carrier: z.string().min(1).max(64), tracking_number: z.string().min(1).max(64) }), req.body)
            : undefined;
        const current = await workOrder(orderId);
        // The registry decides whether the step may happen now (409 otherwise).
        const { transition, replayed } = await rt.registry.record(orderId, status);
        // A replayed step (a retry) changes nothing: the work order may have moved on since.
        if (replayed) {
          res.json({ work_order: current, transition });
          return;
        }
        const updated = await rt.db.query(
          `UPDATE work_orders SET state = $2, ${column} = COALESCE(${column}, $3),
             carrier = COALESCE(carrier, $4), tracking_number = COALESCE(tracking_number, $5)
           WHERE order_id = $1 RETURNING *`,
          [orderId, state, transition.occurred_at, shipment?.carrier ?? null, shipment?.tracking_number ?? null],
        );
        res.json({ work_order: updated.rows[0], transition });
      });
    });
  }

  return router;
}
