import { NotFoundError, parseInput, requireBearer, idempotencyKey } from '@orderscope/platform';
import { MATERIALS, modelUpload, type Material, storeModel, uploadedModel, captureTraceContext, orderTableResolver, orderIdForCreate, withOrder, type Channel } from '@orderscope/orders';
import { type ServiceRuntime } from '@orderscope/service-kit';
import express, { type Router } from 'express';
import { z } from 'zod';
import { quote } from './pricing.js';

const orderParams = z.object({ orderId: z.uuid() });
const modelShape = z.object({
  triangles: z.number().int().min(1),
  size: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)]),
});

/** A B2B client's requests about an order (and a retried upload) continue the order's trace. */
export const mesApiOrderResolver = (rt: ServiceRuntime) =>
  orderTableResolver(rt.db, 'b2b_orders', { idempotencyKey: true });

/**
 * The MES API: the public API of B2B clients (model upload = order placement) and the pricing of
 * every order; a priced order goes straight to the CRM for manufacturing approval.
 */
export function mesApiRoutes(rt: ServiceRuntime): Router {
  const router = express.Router();
  const internal = requireBearer(rt.config.internalApiToken);

  /** Prices the order (once), records PRICE_CALCULATED, and asks the CRM to approve manufacturing. */
  async function priceAndApprove(args: {
    orderId: string;
    channel: Channel;
    quantity: number;
    material: Material;
    size: readonly [number, number, number];
  }) {
    const { volumeCm3, priceCents } = quote(args.size, args.material, args.quantity);
    await rt.db.query(
      `INSERT INTO prices (order_id, channel, quantity, material, volume_cm3, price_cents) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (order_id) DO NOTHING`,
      [args.orderId, args.channel, args.quantity, args.material, volumeCm3, priceCents],
    );
    // The first price stands: a retried request answers with it even if its inputs differ.
    const price = (await rt.db.query<{ price_cents: string; quantity: number; material: Material }>(
      'SELECT price_cents, quantity, material FROM prices WHERE order_id = $1',
      [args.orderId],
    )).rows[0]!;
    const priced = await rt.registry.record(args.orderId, 'PRICE_CALCULATED');
    const approval = await rt.clients.crm.send<{ transition: { status: string } }>(
      'POST',
      `/internal/orders/${args.orderId}/approve`,
      { json: { quantity: price.quantity, material: price.material, price_cents: Number(price.price_cents) } },
    );
    return {
      order_id: args.orderId,
      status: approval.body.transition.status,
      price_cents: Number(price.price_cents),
      price_transition: priced.transition,
    };
  }

  // --- pricing of B2C orders, asked by the shop when the customer places the order -----------------
  router.post('/internal/orders/:orderId/price', internal, async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    const body = parseInput(
      z.object({ quantity: z.number().int().min(1).max(10_000), material: z.enum(MATERIALS), model: modelShape }),
      req.body,
    );
    res.json(await priceAndApprove({ orderId, channel: 'b2c', quantity: body.quantity, material: body.material, size: body.model.size }));
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
    const { orderId, existing } = await orderIdForCreate(rt.db, 'b2b_orders', key);
    // The upload is the B2B order's creation: this request's span is the order's root.
    await withOrder(
      orderId,
      async () => {
        const traceContext = captureTraceContext();
        if (!existing) {
          const model = await storeModel(rt.config.uploads.dir, orderId, uploadedModel(req));
          await rt.db.tx(async (q) => {
            await q.query(
              `INSERT INTO b2b_orders (order_id, customer_id, quantity, material, idempotency_key, trace_context)
               VALUES ($1, $2, $3, $4, $5, $6)`,
              [orderId, fields.customer_id, fields.quantity, fields.material, key ?? null, traceContext],
            );
            await q.query(
              `INSERT INTO models (order_id, format, triangles, size_x, size_y, size_z, bytes, sha256, path)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
              [orderId, model.format, model.triangles, ...model.size, model.bytes, model.sha256, model.path],
            );
          });
        }
        // Recorded on a retry too, in case the first attempt stored the order but not its status.
        await rt.registry.record(orderId, 'FILE_UPLOADED', { channel: 'b2b', userId: fields.customer_id, traceContext });
        res.status(existing ? 200 : 201).json(await b2bView(orderId));
      },
      rt.pseudonymize(fields.customer_id),
    );
  });

  router.post('/b2b/orders/:orderId/submit', async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    res.json(await withOrder(orderId, () => submitB2b(orderId)));
  });

  async function submitB2b(orderId: string) {
    const order = (
      await rt.db.query<{ quantity: number; material: Material; size_x: number; size_y: number; size_z: number }>(
        `SELECT o.quantity, o.material, m.size_x, m.size_y, m.size_z
         FROM b2b_orders o JOIN models m USING (order_id) WHERE o.order_id = $1`,
        [orderId],
      )
    ).rows[0];
    if (!order) throw new NotFoundError(`B2B order ${orderId} not found`);
    return priceAndApprove({
      orderId,
      channel: 'b2b',
      quantity: order.quantity,
      material: order.material,
      size: [order.size_x, order.size_y, order.size_z],
    });
  }

  router.get('/b2b/orders/:orderId', async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    res.json(await withOrder(orderId, () => b2bView(orderId)));
  });

  async function b2bView(orderId: string) {
    const row = (
      await rt.db.query<Record<string, unknown>>(
        `SELECT o.order_id, o.quantity, o.material, o.created_at, m.format, m.triangles, m.size_x, m.size_y, m.size_z,
                m.bytes, p.price_cents
         FROM b2b_orders o LEFT JOIN models m USING (order_id) LEFT JOIN prices p USING (order_id)
         WHERE o.order_id = $1`,
        [orderId],
      )
    ).rows[0];
    if (!row) throw new NotFoundError(`B2B order ${orderId} not found`);
    const { status } = await rt.registry.get(orderId);
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
