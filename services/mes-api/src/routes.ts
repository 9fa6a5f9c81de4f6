import { hashIsOneOf, idempotencyKey, NotFoundError, parseInput, reply, requireBearer } from '@orderscope/platform';
import {
  ApprovalClient,
  createOrder,
  MATERIALS,
  modelUpload,
  orderResolver,
  pricingContract,
  orderAccessContract,
  ownOrderTokens,
  RegistryClient,
  requireOrderToken,
  storeModel,
  uploadedModel,
  withOrder,
  type Channel,
  type Material,
} from '@orderscope/orders';
import type { ServiceRuntime } from '@orderscope/service-kit';
import express, { type Router } from 'express';
import { z } from 'zod';
import { quote } from './pricing.js';
import { MesApiStore } from './store.js';

const orderParams = z.object({ orderId: z.uuid() });

/** A B2B client's requests about an order (and a retried upload) continue the order's trace. */
export const mesApiOrderResolver = (rt: ServiceRuntime) => {
  const store = new MesApiStore(rt.db);
  return orderResolver({ byId: (id) => store.traceContext(id), byIdempotencyKey: (key) => store.byIdempotencyKey(key) });
};

/**
 * The MES API: the public API of B2B clients (model upload = order placement) and the pricing of
 * every order; a priced order goes straight to the CRM for manufacturing approval.
 */
export function mesApiRoutes(rt: ServiceRuntime): Router {
  const router = express.Router();
  const internal = requireBearer(rt.config.internalApiToken);
  const store = new MesApiStore(rt.db);
  const registry = new RegistryClient('mes-api', rt.serviceClient('crm'));
  const approval = new ApprovalClient(rt.serviceClient('crm'));
  // Every read or change of a B2B order needs its order_token (the answer to POST /b2b/orders).
  const client = requireOrderToken(ownOrderTokens(store.tokens));

  /** Prices the order (once), records PRICE_CALCULATED, and asks the CRM to approve manufacturing. */
  async function priceAndApprove(args: {
    orderId: string;
    channel: Channel;
    quantity: number;
    material: Material;
    size: readonly [number, number, number];
  }) {
    const { volumeCm3, priceCents } = quote(args.size, args.material, args.quantity);
    // The registry first: an order it does not have, or not ready for a price, gets its 404/409
    // before anything is stored. A retry after a failed store finds the transition replayed.
    const priced = await registry.record(args.orderId, 'PRICE_CALCULATED');
    // The first price stands: a retried request answers with it even if its inputs differ.
    const price = await store.priceOnce({ ...args, volumeCm3, priceCents });
    const approved = await approval.approve(args.orderId, {
      quantity: price.quantity,
      material: price.material,
      price_cents: Number(price.price_cents),
    });
    return reply(pricingContract.price, {
      order_id: args.orderId,
      status: approved.transition.status,
      price_cents: Number(price.price_cents),
      price_transition: priced.transition,
    });
  }

  // --- pricing of B2C orders, asked by the shop when the customer places the order -----------------
  const price = pricingContract.price;
  router.post(price.path, internal, async (req, res) => {
    const { orderId } = parseInput(price.params, req.params);
    const body = parseInput(price.request, req.body);
    res.json(await priceAndApprove({ orderId, channel: 'b2c', quantity: body.quantity, material: body.material, size: body.model.size }));
  });

  // The shop asks whether a token is a B2B order's (its notifications are read at the shop).
  const check = orderAccessContract.check;
  router.post(check.path, internal, async (req, res) => {
    const { orderId } = parseInput(check.params, req.params);
    const { token_sha256 } = parseInput(check.request, req.body);
    const granted = hashIsOneOf(Buffer.from(token_sha256, 'hex'), await store.tokens.orderTokenHashes(orderId));
    res.json(reply(check, { order_id: orderId, granted }));
  });

  // --- the public B2B API ---------------------------------------------------------------------------
  router.post('/b2b/orders', modelUpload(rt.config.uploads.maxBytes), async (req, res) => {
    const fields = parseInput(
      z.object({
        customer_id: z.string().min(1).max(128),
        quantity: z.coerce.number().int().min(1).max(10_000),
        material: z.enum(MATERIALS),
      }),
      req.body,
    );
    const key = idempotencyKey(req);
    // The upload is the B2B order's creation (and its FILE_UPLOADED).
    const created = await createOrder({
      store: store.newOrder({ customerId: fields.customer_id, quantity: fields.quantity, material: fields.material }, key, (orderId) =>
        storeModel(rt.config.uploads.dir, orderId, uploadedModel(req)),
      ),
      tokens: store.tokens,
      registry,
      idempotencyKey: key,
      channel: 'b2b',
      firstStatus: 'FILE_UPLOADED',
      userId: fields.customer_id,
      userPseudonym: rt.pseudonymize(fields.customer_id),
      view: b2bView,
    });
    res.status(created.status).json(created.body);
  });

  router.post('/b2b/orders/:orderId/submit', client, async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    res.json(await withOrder(orderId, () => submitB2b(orderId)));
  });

  async function submitB2b(orderId: string) {
    const order = await store.b2bForPricing(orderId);
    if (!order) throw new NotFoundError(`B2B order ${orderId} not found`);
    return priceAndApprove({ orderId, channel: 'b2b', ...order });
  }

  router.get('/b2b/orders/:orderId', client, async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    res.json(await withOrder(orderId, () => b2bView(orderId)));
  });

  async function b2bView(orderId: string) {
    const row = await store.b2bView(orderId);
    if (!row) throw new NotFoundError(`B2B order ${orderId} not found`);
    const { status } = await registry.get(orderId);
    return {
      order_id: row.order_id,
      channel: 'b2b',
      status,
      quantity: row.quantity,
      material: row.material,
      model: { format: row.format, triangles: row.triangles, size: [row.size_x, row.size_y, row.size_z], bytes: row.bytes },
      price_cents: row.price_cents === null ? null : Number(row.price_cents),
    };
  }

  return router;
}
