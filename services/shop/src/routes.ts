import { ConflictError, idempotencyKey, NotFoundError, parseInput, reply, requireBearer } from '@orderscope/platform';
import { RUM_TRACES_PATH, STOREFRONT_DIR } from '@orderscope/storefront';
import {
  boxStl,
  createOrder,
  MATERIALS,
  MAX_MODEL_SIDE_MM,
  modelUpload,
  notificationsContract,
  orderResolver,
  OrderAccessClient,
  ownOrderTokens,
  PricingClient,
  RegistryClient,
  requireOrderToken,
  storeModel,
  uploadedModel,
  withOrder,
} from '@orderscope/orders';
import type { ServiceRuntime } from '@orderscope/service-kit';
import express, { type Router } from 'express';
import { z } from 'zod';
import { rumRelay } from './rum-relay.js';
import { ShopStore } from './store.js';

const orderParams = z.object({ orderId: z.uuid() });
const boxSide = z.number().positive().max(MAX_MODEL_SIDE_MM);

/** A customer's requests about an order (and a retried creation) continue the order's trace. */
export const shopOrderResolver = (rt: ServiceRuntime) => {
  const store = new ShopStore(rt.db);
  return orderResolver({ byId: (id) => store.traceContext(id), byIdempotencyKey: (key) => store.byIdempotencyKey(key) });
};

/**
 * The Internet Shop: B2C customers start an order, upload a model (or build one in the online
 * constructor) and place the order, which the MES API prices and the CRM approves.
 */
export function shopRoutes(rt: ServiceRuntime): Router {
  const router = express.Router();
  const store = new ShopStore(rt.db);
  const registry = new RegistryClient('shop', rt.serviceClient('crm'));
  const pricing = new PricingClient(rt.serviceClient('mes-api'));
  const orderAccess = new OrderAccessClient(rt.serviceClient('mes-api'));
  // Every read or change of an order needs its order_token (the answer to POST /orders).
  const ownTokens = ownOrderTokens(store.tokens);
  const customer = requireOrderToken(ownTokens);
  // The notifications of a B2B order (not the shop's: the MES API issued its token) are read
  // with that token too, which the MES API checks.
  const customerOrB2bClient = requireOrderToken(
    async (orderId, token) => (await ownTokens(orderId, token)) || (!(await store.order(orderId)) && (await orderAccess.granted(orderId, token))),
  );

  // The storefront's own faults, acted out for the demo (what the backend cannot see): a broken
  // "place order" button (the page throws), slow assets, calls the page gives up on at once.
  const faultsSchema = z.object({ brokenButton: z.boolean(), slowAssetMs: z.number().int().min(0).max(30_000), abortCalls: z.boolean() }).strict();
  let storefrontFaults: z.infer<typeof faultsSchema> = { brokenButton: false, slowAssetMs: 0, abortCalls: false };
  router.get('/storefront/faults', (_req, res) => void res.json(storefrontFaults));
  router.put('/admin/storefront-faults', requireBearer(rt.config.adminToken), (req, res) => {
    storefrontFaults = { ...storefrontFaults, ...parseInput(faultsSchema.partial(), req.body) };
    res.json(storefrontFaults);
  });
  router.delete('/admin/storefront-faults', requireBearer(rt.config.adminToken), (_req, res) => {
    storefrontFaults = { brokenButton: false, slowAssetMs: 0, abortCalls: false };
    res.json(storefrontFaults);
  });
  router.use('/assets', async (_req, _res, next) => {
    if (storefrontFaults.slowAssetMs > 0) await new Promise((r) => setTimeout(r, storefrontFaults.slowAssetMs));
    next();
  });

  // The storefront (the web shop customers use) and the door its telemetry comes in by.
  router.use(express.static(STOREFRONT_DIR, { index: 'index.html', maxAge: '1h' }));
  router.use(rumRelay(rt.config.rum, rt.logger, RUM_TRACES_PATH));

  /** The order with its model; 404 when there is no such order. */
  async function findOrder(orderId: string) {
    const row = await store.orderWithModel(orderId);
    if (!row) throw new NotFoundError(`order ${orderId} not found`);
    return row;
  }

  async function view(orderId: string) {
    const { model, ...order } = await findOrder(orderId);
    const { status } = await registry.get(orderId);
    return {
      order_id: order.order_id,
      channel: 'b2c',
      status,
      quantity: order.quantity,
      material: order.material,
      price_cents: order.price_cents === null ? null : Number(order.price_cents),
      model: model
        ? { source: model.source, format: model.format, triangles: model.triangles, size: [model.size_x, model.size_y, model.size_z], bytes: model.bytes }
        : null,
      created_at: order.created_at.toISOString(),
      submitted_at: order.submitted_at?.toISOString() ?? null,
    };
  }

  /** Stores the model and records FILE_UPLOADED; a new model replaces the old until the order is placed. */
  async function acceptModel(orderId: string, source: 'upload' | 'constructor', content: Buffer | undefined) {
    const order = await findOrder(orderId);
    if (order.submitted_at) throw new ConflictError('order_placed', `order ${orderId} is placed; its model can no longer change`);
    await store.saveModel(orderId, source, await storeModel(rt.config.uploads.dir, orderId, content));
    await registry.record(orderId, 'FILE_UPLOADED');
    return view(orderId);
  }

  router.post('/orders', async (req, res) => {
    const body = parseInput(z.object({ user_id: z.string().min(1).max(128) }), req.body);
    const key = idempotencyKey(req);
    const created = await createOrder({
      store: store.newOrder(body.user_id, key),
      tokens: store.tokens,
      registry,
      idempotencyKey: key,
      channel: 'b2c',
      firstStatus: 'INITIATED',
      userId: body.user_id,
      userPseudonym: rt.pseudonymize(body.user_id),
      view,
    });
    res.status(created.status).json(created.body);
  });

  // The CRM's customer-facing events (confirmation, delivery), for B2C and B2B customers alike;
  // idempotent, as the CRM repeats them until they are taken.
  const notify = notificationsContract.notify;
  router.put(notify.path, requireBearer(rt.config.internalApiToken), async (req, res) => {
    const { orderId, event } = parseInput(notify.params, req.params);
    const { channel, price_cents } = parseInput(notify.request, req.body);
    await store.addNotification(orderId, event, channel);
    // The confirmation's price: the shop's own pricing call may have failed after the MES API
    // priced the order (a timeout), and the order went on without it.
    if (price_cents !== undefined && channel === 'b2c') await store.setPriceIfMissing(orderId, price_cents);
    res.json(reply(notify, { order_id: orderId, event }));
  });

  router.get('/orders/:orderId/notifications', customerOrB2bClient, async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    res.json({ order_id: orderId, notifications: await store.notifications(orderId) });
  });

  router.get('/orders/:orderId', customer, async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    res.json(await withOrder(orderId, () => view(orderId)));
  });

  router.put('/orders/:orderId/model', customer, modelUpload(rt.config.uploads.maxBytes), async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    res.json(await withOrder(orderId, () => acceptModel(orderId, 'upload', uploadedModel(req))));
  });

  // The online constructor: the customer describes a box, the shop builds its STL.
  router.put('/orders/:orderId/model/constructor', customer, async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    const body = parseInput(
      z.object({
        shape: z.literal('box'),
        size_mm: z.tuple([boxSide, boxSide, boxSide]),
      }),
      req.body,
    );
    const stl = Buffer.from(boxStl(`box-${orderId}`, ...body.size_mm));
    res.json(await withOrder(orderId, () => acceptModel(orderId, 'constructor', stl)));
  });

  // "Place order": SUBMITTED, then the MES API prices it and the CRM approves manufacturing.
  router.post('/orders/:orderId/submit', customer, async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    const body = parseInput(
      z.object({ quantity: z.number().int().min(1).max(10_000), material: z.enum(MATERIALS) }),
      req.body,
    );
    res.json(await withOrder(orderId, () => placeOrder(orderId, body)));
  });

  async function placeOrder(orderId: string, body: { quantity: number; material: (typeof MATERIALS)[number] }) {
    const { model, ...order } = await findOrder(orderId);
    if (!model) throw new ConflictError('out_of_order', `order ${orderId} has no model yet: upload one before placing the order`);
    // A re-submission (a retry) keeps the first quantity and material.
    const quantity = order.quantity ?? body.quantity;
    const material = (order.material as (typeof MATERIALS)[number] | null) ?? body.material;
    await registry.record(orderId, 'SUBMITTED');
    await store.markSubmitted(orderId, quantity, material);
    const priced = await pricing.price(orderId, {
      quantity,
      material,
      model: { triangles: model.triangles, size: [model.size_x, model.size_y, model.size_z] },
    });
    await store.setPrice(orderId, priced.price_cents);
    return view(orderId);
  }

  return router;
}
