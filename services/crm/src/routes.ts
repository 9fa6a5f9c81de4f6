import { ConflictError, NotFoundError, parseInput, reply, requireBearer } from '@orderscope/platform';
import {
  approvalContract,
  CHANNELS,
  HandoffClient,
  NotificationsClient,
  ORDER_STATUSES,
  orderResolver,
  registryContract,
  tracedTransition,
  withOrder,
  type Channel,
  type CustomerEvent,
} from '@orderscope/orders';
import { type ServiceRuntime } from '@orderscope/service-kit';
import express, { type Router } from 'express';
import { z } from 'zod';
import { incidentRoutes } from './incidents/incident-routes.js';
import { OrderRegistry } from './registry/order-registry.js';
import { registerRegistryMetrics } from './registry/registry-metrics.js';
import { uniformWaits } from './registry/allowed-times.js';
import { reportStuckOrders } from './registry/stuck-orders.js';
import { transitionMetrics } from './registry/transition-metrics.js';
import { withTraceLink } from './registry/trace-link.js';
import { CrmStore } from './store.js';

const orderParams = z.object({ orderId: z.uuid() });

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
  const registry = new OrderRegistry(rt.db, transitionMetrics(rt.metrics.registry));
  const store = new CrmStore(rt.db);
  const handoff = new HandoffClient(rt.serviceClient('mes'));
  const notifications = new NotificationsClient(rt.serviceClient('shop'));
  const router = express.Router();
  const internal = requireBearer(rt.config.internalApiToken);
  registerRegistryMetrics(rt.db, rt.metrics.registry, rt.config.stuck.allowedMs);
  router.use(incidentRoutes(rt));

  // --- the registry: every service records its transitions here --------------------------------
  const recordTransition = registryContract.recordTransition;
  router.put(recordTransition.path, internal, async (req, res) => {
    const { orderId, status } = parseInput(recordTransition.params, req.params);
    const body = parseInput(recordTransition.request, req.body);
    // The CRM's own transitions are made by its own endpoints, never through this door.
    const result = await registry.apply({
      orderId,
      status,
      actor: body.actor,
      ...(body.operator_id ? { operatorId: body.operator_id } : {}),
      ...(body.channel ? { channel: body.channel } : {}),
      ...(body.user_id ? { userId: body.user_id } : {}),
      ...(body.trace_context ? { traceContext: body.trace_context } : {}),
    });
    res.status(200).json(reply(recordTransition, result));
  });

  // Marks orders that stopped moving in their traces; runs every STUCK_SCAN_INTERVAL_S by itself,
  // and on demand (monitoring, tests): with the allowed times, or one threshold for every status.
  router.post('/internal/registry/stuck-scan', internal, async (req, res) => {
    const { older_than_s } = parseInput(z.object({ older_than_s: z.coerce.number().min(0).max(86_400 * 30).optional() }), req.query);
    const waits = older_than_s === undefined ? rt.config.stuck.allowedMs : uniformWaits(older_than_s * 1000);
    const stuck = await reportStuckOrders(rt.db, rt.logger, waits);
    res.json({ stuck: stuck.map((o) => withTraceLink(rt.config.jaegerUiUrl, o)) });
  });

  const getOrder = registryContract.getOrder;
  router.get(getOrder.path, internal, async (req, res) => {
    const { orderId } = parseInput(getOrder.params, req.params);
    res.json(reply(getOrder, withTraceLink(rt.config.jaegerUiUrl, await registry.get(orderId))));
  });

  router.get('/registry/orders', internal, async (req, res) => {
    const query = parseInput(
      z.object({
        status: z.enum(ORDER_STATUSES).optional(),
        channel: z.enum(CHANNELS).optional(),
        /** true: open orders waiting longer than their status allows. */
        stuck: z.stringbool().optional(),
        /** Open orders that have not moved for this long, whatever their status allows. */
        stuck_for_s: z.coerce.number().min(0).max(86_400 * 365).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      req.query,
    );
    const stuck =
      query.stuck_for_s !== undefined ? uniformWaits(query.stuck_for_s * 1000) : query.stuck ? rt.config.stuck.allowedMs : undefined;
    const orders = await registry.list({
      limit: query.limit,
      ...(query.status ? { status: query.status } : {}),
      ...(query.channel ? { channel: query.channel } : {}),
      ...(stuck ? { stuck } : {}),
    });
    res.json({ orders: orders.map((o) => withTraceLink(rt.config.jaegerUiUrl, o)) });
  });

  /**
   * Tells the customer, through the shop (where B2C customers and B2B clients see their orders).
   * A notification that cannot be delivered does not undo the transition: it is logged and traced
   * as an error, and sent again when the step is retried.
   */
  async function notifyCustomer(orderId: string, channel: Channel, event: CustomerEvent, priceCents?: number) {
    try {
      await notifications.notify(orderId, event, { channel, ...(priceCents === undefined ? {} : { price_cents: priceCents }) });
    } catch (err) {
      rt.logger.warn({ err, event }, 'customer notification not delivered');
    }
  }

  // --- manufacturing approval, called by the MES API once the price is known ---------------------
  const approve = approvalContract.approve;
  router.post(approve.path, internal, async (req, res) => {
    const { orderId } = parseInput(approve.params, req.params);
    const body = parseInput(approve.request, req.body);
    const { transition, replayed, trace_context } = await tracedTransition('MANUFACTURING_APPROVED', () =>
      registry.apply({ orderId, status: 'MANUFACTURING_APPROVED', actor: 'crm' }),
    );
    await store.approve(orderId, { quantity: body.quantity, material: body.material, priceCents: body.price_cents, at: transition.occurred_at });
    // Hand the order to the MES. Repeated on every (re)approval until it succeeds: the MES's
    // work-order endpoint is idempotent, and a failed hand-off leaves the order approved, visibly stuck.
    const handedOff = await handoff.handOff(orderId, { quantity: body.quantity, material: body.material, trace_context });
    await store.markHandedToMes(orderId);
    await notifyCustomer(orderId, transition.channel, 'ORDER_CONFIRMED', body.price_cents);
    res.json(
      reply(approve, {
        transition,
        replayed,
        handoff: { retry_count: handedOff.call.retryCount, timed_out_attempts: handedOff.call.timedOutAttempts },
      }),
    );
  });

  // --- the fix for an order lost on its way to the MES: hand it over again ---------------------------
  // The MES's work-order endpoint is idempotent, so this is safe whether the MES lost the order or
  // has it queued; an order past MANUFACTURING_APPROVED is the MES's already (409).
  router.post('/orders/:orderId/handoff', internal, async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    const order = await registry.get(orderId);
    if (order.status !== 'MANUFACTURING_APPROVED') {
      throw new ConflictError('not_awaiting_manufacturing', `order ${orderId} is ${order.status}: only an order in MANUFACTURING_APPROVED is handed to the MES`);
    }
    const approval = await store.approval(orderId);
    if (!approval) throw new ConflictError('not_approved', `order ${orderId} has no manufacturing approval to hand over`);
    const handedOff = await withOrder(orderId, () =>
      handoff.handOff(orderId, { quantity: approval.quantity, material: approval.material, trace_context: order.trace_context }),
    );
    await store.markHandedToMes(orderId);
    // The confirmation the first, failed hand-off never sent (the shop takes it once).
    await notifyCustomer(orderId, order.channel, 'ORDER_CONFIRMED', approval.price_cents);
    rt.logger.info({ order_id: orderId, mes_state: handedOff.state }, 'order handed to the MES again');
    res.json({ order_id: orderId, mes_state: handedOff.state, retry_count: handedOff.call.retryCount });
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
    await store.delivered(body.order_id, { trackingNumber: body.tracking_number, deliveredAt: body.delivered_at ?? transition.occurred_at });
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
