import { NotFoundError, parseInput, reply, requireBearer } from '@orderscope/platform';
import { handoffContract, orderResolver, RegistryClient, WORK_STATES, withOrder, type OrderStatus, type WorkState } from '@orderscope/orders';
import type { ServiceRuntime } from '@orderscope/service-kit';
import express, { type Router } from 'express';
import { z } from 'zod';
import { operatorAdminRoutes, operatorOf, requireOperator } from './operators.js';
import { MesStore, type StepColumn } from './store.js';

const orderParams = z.object({ orderId: z.uuid() });

/** An operator's step: the order status it sets, the work order state and time column it moves. */
const STEPS = {
  start: { status: 'MANUFACTURING_STARTED', state: 'in_progress', column: 'started_at' },
  complete: { status: 'MANUFACTURING_COMPLETED', state: 'completed', column: 'completed_at' },
  package: { status: 'PACKAGING', state: 'packaging', column: 'packaging_at' },
  ship: { status: 'SHIPPED', state: 'shipped', column: 'shipped_at' },
} as const satisfies Record<string, { status: OrderStatus; state: WorkState; column: StepColumn }>;

/** Operators' requests about a work order continue the order's stored trace. */
export const mesOrderResolver = (rt: ServiceRuntime) => {
  const store = new MesStore(rt.db);
  return orderResolver({ byId: (id) => store.traceContext(id) });
};

/**
 * The MES: takes approved orders from the CRM into the operators' queue; operators start,
 * complete, pack and ship them.
 */
export function mesRoutes(rt: ServiceRuntime): Router {
  const router = express.Router();
  const store = new MesStore(rt.db);
  const registry = new RegistryClient('mes', rt.serviceClient('crm'));

  async function workOrder(orderId: string) {
    const row = await store.workOrder(orderId);
    if (!row) throw new NotFoundError(`no work order for order ${orderId}`);
    return row;
  }

  // Hand-off from the CRM. Idempotent: the CRM repeats it until it gets an answer.
  const handOff = handoffContract.handOff;
  router.put(handOff.path, requireBearer(rt.config.internalApiToken), async (req, res) => {
    const { orderId } = parseInput(handOff.params, req.params);
    const body = parseInput(handOff.request, req.body);
    // The "lost orders" fault: accepted, then forgotten — the order silently stops moving.
    if (rt.faults.shouldDrop()) {
      res.status(202).json(reply(handOff, { order_id: orderId, state: 'queued' }));
      return;
    }
    await store.receive(orderId, { quantity: body.quantity, material: body.material, traceContext: body.trace_context ?? null });
    const row = await workOrder(orderId);
    res.status(202).json(reply(handOff, { order_id: orderId, state: row.state }));
  });

  // Operators, made and revoked by an admin; every /work-orders route needs an operator's key.
  router.use(operatorAdminRoutes(store, rt.config.adminToken));
  const operator = requireOperator(store);

  // The operators' queue.
  router.get('/work-orders', operator, async (req, res) => {
    const query = parseInput(
      z.object({ state: z.enum(WORK_STATES).default('queued'), limit: z.coerce.number().int().min(1).max(500).default(50) }),
      req.query,
    );
    res.json({ work_orders: await store.queue(query.state, query.limit) });
  });

  router.get('/work-orders/:orderId', operator, async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    res.json(await workOrder(orderId));
  });

  for (const [step, { status, state, column }] of Object.entries(STEPS)) {
    router.post(`/work-orders/:orderId/${step}`, operator, async (req, res) => {
      const { orderId } = parseInput(orderParams, req.params);
      await withOrder(orderId, async () => {
        const shipment =
          step === 'ship'
            ? parseInput(z.object({ carrier: z.string().min(1).max(64), tracking_number: z.string().min(1).max(64) }), req.body)
            : undefined;
        const current = await workOrder(orderId);
        // The registry decides whether the step may happen now (409 otherwise).
        // The operator is recorded with the transition (its actor is the MES; they are who).
        const { transition, replayed } = await registry.record(orderId, status, { operatorId: operatorOf(req) });
        // A replayed step (a retry) changes nothing the work order has done since; but when the
        // first attempt stopped between the registry and this table (a crash, the database
        // away), the step is written now, or the two would disagree for good.
        if (replayed && WORK_STATES.indexOf(current.state) >= WORK_STATES.indexOf(state)) {
          res.json({ work_order: current, transition });
          return;
        }
        const updated = await store.step(orderId, {
          state,
          column,
          at: transition.occurred_at,
          ...(shipment ? { carrier: shipment.carrier, trackingNumber: shipment.tracking_number } : {}),
        });
        res.json({ work_order: updated, transition });
      });
    });
  }

  return router;
}
