import { NotFoundError, parseInput, requireBearer } from '@orderscope/platform';
import { CHANNELS, MATERIALS, ORDER_STATUSES, orderResolver, SERVICE_NAMES, tracedTransition, withOrder } from '@orderscope/orders';
import { type ServiceRuntime } from '@orderscope/service-kit';
import express, { type Router } from 'express';
import { z } from 'zod';
import { OrderRegistry } from './registry/order-registry.js';
import { reportStuckOrders } from './registry/stuck-orders.js';
import { withTraceLink } from './registry/trace-link.js';

const orderParams = z.object({ orderId: z.uuid() });
const traceContextSchema = z.object({
  traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/),
  baggage: z.string().max(2048).optional(),
});

/** Public requests about an order (the carrier, manual closing) continue its stored trace. */
export const crmOrderResolver = (rt: ServiceRuntime) =>
  orderResolver({
    byId: (orderId) => new OrderRegistry(rt.db).traceContext(orderId),
    requireToken: rt.config.internalApiToken,
  });

/**
 * The CRM: owner of the order registry, approves manufacturing (and hands the order to the MES),
 * closes orders on the carrier's delivery message or by hand.
 */
export function crmRoutes(rt: ServiceRuntime): Router {
  const registry = new OrderRegistry(rt.db);
  const router = express.Router();
  const internal = requireBearer(rt.config.internalApiToken);

  // --- the registry: every service records its transitions here --------------------------------
  router.put('/internal/registry/orders/:orderId/transitions/:status', internal, async (req, res) => {
    const { orderId, status } = parseInput(
      z.object({ orderId: z.uuid(), status: z.enum(ORDER_STATUSES) }),
      req.params,
    );
    const body = parseInput(
      z.object({
        actor: z.enum(SERVICE_NAMES),
        channel: z.enum(CHANNELS).optional(),
        user_id: z.string().min(1).max(128).optional(),
        trace_context: traceContextSchema.optional(),
      }),
      req.body,
    );
    // The CRM's own transitions are made by its own endpoints, never through this door.
    const result = await registry.apply({
      orderId,
      status,
      actor: body.actor,
      ...(body.channel ? { channel: body.channel } : {}),
      ...(body.user_id ? { userId: body.user_id } : {}),
      ...(body.trace_context ? { traceContext: body.trace_context } : {}),
    });
    res.status(200).json(result);
  });

  // Marks orders that stopped moving in their traces; runs every STUCK_SCAN_INTERVAL_S by itself,
  // and on demand (monitoring, tests) with its own threshold.
  router.post('/internal/registry/stuck-scan', internal, async (req, res) => {
    const { older_than_s } = parseInput(z.object({ older_than_s: z.coerce.number().min(0).max(86_400 * 30) }), req.query);
    const stuck = await reportStuckOrders(rt.db, rt.logger, older_than_s * 1000);
    res.json({ stuck: stuck.map((o) => withTraceLink(rt.config.jaegerUiUrl, o)) });
  });

  router.get('/registry/orders/:orderId', internal, async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    res.json(withTraceLink(rt.config.jaegerUiUrl, await registry.get(orderId)));
  });

  router.get('/registry/orders', internal, async (req, res) => {
    const query = parseInput(
      z.object({
        status: z.enum(ORDER_STATUSES).optional(),
        channel: z.enum(CHANNELS).optional(),
        stuck_for_s: z.coerce.number().min(0).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      req.query,
    );
    const orders = await registry.list({
      limit: query.limit,
      ...(query.status ? { status: query.status } : {}),
      ...(query.channel ? { channel: query.channel } : {}),
      ...(query.stuck_for_s !== undefined ? { stuckForMs: query.stuck_for_s * 1000 } : {}),
    });
    res.json({ orders: orders.map((o) => withTraceLink(rt.config.jaegerUiUrl, o)) });
  });

  /**
   * Tells the customer, through the shop (where B2C customers and B2B clients see their orders).
   * A notification that cannot be delivered does not undo the transition: it is logged and traced
   * as an error, and sent again when the step is retried.
   */
  async function notifyCustomer(orderId: string, channel: string, event: 'ORDER_CONFIRMED' | 'ORDER_DELIVERED') {
    try {
      await rt.clients.shop.send('PUT', `/internal/orders/${orderId}/notifications/${event}`, { json: { channel } });
    } catch (err) {
      rt.logger.warn({ err, event }, 'customer notification not delivered');
    }
  }

  // --- manufacturing approval, called by the MES API once the price is known ---------------------
  router.post('/internal/orders/:orderId/approve', internal, async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    const body = parseInput(
      z.object({
        quantity: z.number().int().min(1).max(10_000),
        material: z.enum(MATERIALS),
        price_cents: z.number().int().min(0),
      }),
      req.body,
    );
    const { transition, replayed, trace_context } = await tracedTransition('MANUFACTURING_APPROVED', () =>
      registry.apply({ orderId, status: 'MANUFACTURING_APPROVED', actor: 'crm' }),
    );
    await rt.db.query(
      `INSERT INTO approvals (order_id, quantity, material, price_cents, approved_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (order_id) DO NOTHING`,
      [orderId, body.quantity, body.material, body.price_cents, transition.occurred_at],
    );
    // Hand the order to the MES. Repeated on every (re)approval until it succeeds: the MES's
    // work-order endpoint is idempotent, and a failed hand-off leaves the order approved, visibly stuck.
    const handoff = await rt.clients.mes.send('PUT', `/internal/work-orders/${orderId}`, {
      json: { quantity: body.quantity, material: body.material, trace_context },
    });
    await rt.db.query('UPDATE approvals SET handed_to_mes_at = COALESCE(handed_to_mes_at, now()) WHERE order_id = $1', [
      orderId,
    ]);
    await notifyCustomer(orderId, transition.channel, 'ORDER_CONFIRMED');
    res.json({ transition, replayed, handoff: { retry_count: handoff.retryCount, timed_out_attempts: handoff.timedOutAttempts } });
  });

  // --- closing: the carrier's delivery message, or an operator by hand -----------------------------
  router.post('/carrier/deliveries', internal, async (req, res) => {
    const body = parseInput(
      z.object({
        order_id: z.uuid(),
        tracking_number: z.string().min(1).max(64),
        delivered_at: z.iso.datetime({ offset: true }).optional(),
      }),
      req.body,
    );
    const { transition, replayed } = await withOrder(body.order_id, () =>
      tracedTransition('CLOSED', () => registry.apply({ orderId: body.order_id, status: 'CLOSED', actor: 'crm', closeReason: 'delivered' })),
    );
    await rt.db.query(
      `INSERT INTO deliveries (order_id, tracking_number, delivered_at, received_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (order_id) DO NOTHING`,
      [body.order_id, body.tracking_number, body.delivered_at ?? transition.occurred_at],
    );
    await notifyCustomer(body.order_id, transition.channel, 'ORDER_DELIVERED');
    res.json({ transition, replayed });
  });

  router.post('/orders/:orderId/close', internal, async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    parseInput(z.object({ reason: z.literal('manual').default('manual') }), req.body);
    const result = await withOrder(orderId, () =>
      tracedTransition('CLOSED', () => registry.apply({ orderId, status: 'CLOSED', actor: 'crm', closeReason: 'manual' })),
    );
    res.json(result);
  });

  router.use('/registry', (_req, _res, next) => next(new NotFoundError('no such registry resource')));
  return router;
}
