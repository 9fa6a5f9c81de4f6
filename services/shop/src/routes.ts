import { requireBearer, ConflictError, NotFoundError, parseInput, idempotencyKey } from '@orderscope/platform';
import { boxStl, CHANNELS, MATERIALS, modelUpload, captureTraceContext, orderTableResolver, storeModel, orderIdForCreate, uploadedModel, withOrder, type StoredModel } from '@orderscope/orders';
import { type ServiceRuntime } from '@orderscope/service-kit';
import express, { type Router } from 'express';
import { z } from 'zod';

const orderParams = z.object({ orderId: z.uuid() });

interface ShopOrderRow {
  order_id: string;
  user_id: string;
  quantity: number | null;
  material: string | null;
  price_cents: string | null;
  created_at: Date;
  submitted_at: Date | null;
}

/** A customer's requests about an order (and a retried creation) continue the order's trace. */
export const shopOrderResolver = (rt: ServiceRuntime) =>
  orderTableResolver(rt.db, 'orders', { idempotencyKey: true });

/**
 * The Internet Shop: B2C customers start an order, upload a model (or build one in the online
 * constructor) and place the order, which the MES API prices and the CRM approves.
 */
export function shopRoutes(rt: ServiceRuntime): Router {
  const router = express.Router();

  async function findOrder(orderId: string): Promise<ShopOrderRow> {
    const row = (await rt.db.query<ShopOrderRow & Record<string, unknown>>('SELECT * FROM orders WHERE order_id = $1', [orderId]))
      .rows[0];
    if (!row) throw new NotFoundError(`order ${orderId} not found`);
    return row;
  }

  async function view(orderId: string) {
    const order = await findOrder(orderId);
    const model = (await rt.db.query('SELECT source, format, triangles, size_x, size_y, size_z, bytes FROM models WHERE order_id = $1', [orderId]))
      .rows[0];
    const { status } = await rt.registry.get(orderId);
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
    const model: StoredModel = await storeModel(rt.config.uploads.dir, orderId, content);
    await rt.db.query(
      `INSERT INTO models (order_id, source, format, triangles, size_x, size_y, size_z, bytes, sha256, path)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (order_id) DO UPDATE SET source = EXCLUDED.source, format = EXCLUDED.format,
         triangles = EXCLUDED.triangles, size_x = EXCLUDED.size_x, size_y = EXCLUDED.size_y, size_z = EXCLUDED.size_z,
         bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256, path = EXCLUDED.path, uploaded_at = now()`,
      [orderId, source, model.format, model.triangles, ...model.size, model.bytes, model.sha256, model.path],
    );
    await rt.registry.record(orderId, 'FILE_UPLOADED');
    return view(orderId);
  }

  router.post('/orders', async (req, res) => {
    const body = parseInput(z.object({ user_id: z.string().min(1).max(128) }), req.body);
    const key = idempotencyKey(req);
    const { orderId, existing } = await orderIdForCreate(rt.db, 'orders', key);
    // This request's span is the new order's root: its context is stored with the order.
    await withOrder(
      orderId,
      async () => {
        const traceContext = captureTraceContext();
        if (!existing) {
          await rt.db.query('INSERT INTO orders (order_id, user_id, idempotency_key, trace_context) VALUES ($1, $2, $3, $4)', [
            orderId,
            body.user_id,
            key ?? null,
            traceContext,
          ]);
        }
        // Recorded on every retry too, in case the first attempt stored the order but not its status.
        await rt.registry.record(orderId, 'INITIATED', { channel: 'b2c', userId: body.user_id, traceContext });
        res.status(existing ? 200 : 201).json(await view(orderId));
      },
      rt.pseudonymize(body.user_id),
    );
  });

  // The CRM's customer-facing events (confirmation, delivery), for B2C and B2B customers alike;
  // idempotent, as the CRM repeats them until they are taken.
  router.put('/internal/orders/:orderId/notifications/:event', requireBearer(rt.config.internalApiToken), async (req, res) => {
    const { orderId, event } = parseInput(
      z.object({ orderId: z.uuid(), event: z.enum(['ORDER_CONFIRMED', 'ORDER_DELIVERED']) }),
      req.params,
    );
    const { channel } = parseInput(z.object({ channel: z.enum(CHANNELS) }), req.body);
    await rt.db.query(
      `INSERT INTO customer_notifications (order_id, event, channel) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [orderId, event, channel],
    );
    res.json({ order_id: orderId, event });
  });

  router.get('/orders/:orderId/notifications', async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    const rows = await rt.db.query('SELECT event, received_at FROM customer_notifications WHERE order_id = $1 ORDER BY received_at', [
      orderId,
    ]);
    res.json({ order_id: orderId, notifications: rows.rows });
  });

  router.get('/orders/:orderId', async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    res.json(await withOrder(orderId, () => view(orderId)));
  });

  router.put('/orders/:orderId/model', modelUpload(rt.config.uploads.maxBytes), async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    res.json(await withOrder(orderId, () => acceptModel(orderId, 'upload', uploadedModel(req))));
  });

  // The online constructor: the customer describes a box, the shop builds its STL.
  router.put('/orders/:orderId/model/constructor', async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    const body = parseInput(
      z.object({
        shape: z.literal('box'),
        size_mm: z.tuple([z.number().positive().max(1000), z.number().positive().max(1000), z.number().positive().max(1000)]),
      }),
      req.body,
    );
    const stl = Buffer.from(boxStl(`box-${orderId}`, ...body.size_mm));
    res.json(await withOrder(orderId, () => acceptModel(orderId, 'constructor', stl)));
  });

  // "Place order": SUBMITTED, then the MES API prices it and the CRM approves manufacturing.
  router.post('/orders/:orderId/submit', async (req, res) => {
    const { orderId } = parseInput(orderParams, req.params);
    const body = parseInput(
      z.object({ quantity: z.number().int().min(1).max(10_000), material: z.enum(MATERIALS) }),
      req.body,
    );
    res.json(await withOrder(orderId, () => placeOrder(orderId, body)));
  });

  async function placeOrder(orderId: string, body: { quantity: number; material: string }) {
    const order = await findOrder(orderId);
    const model = (await rt.db.query<{ triangles: number; size_x: number; size_y: number; size_z: number }>(
      'SELECT triangles, size_x, size_y, size_z FROM models WHERE order_id = $1',
      [orderId],
    )).rows[0];
    if (!model) throw new ConflictError('out_of_order', `order ${orderId} has no model yet: upload one before placing the order`);
    // A re-submission (a retry) keeps the first quantity and material.
    const quantity = order.quantity ?? body.quantity;
    const material = order.material ?? body.material;
    await rt.registry.record(orderId, 'SUBMITTED');
    await rt.db.query(
      `UPDATE orders SET quantity = COALESCE(quantity, $2), material = COALESCE(material, $3),
         submitted_at = COALESCE(submitted_at, now()) WHERE order_id = $1`,
      [orderId, quantity, material],
    );
    const priced = await rt.clients['mes-api'].send<{ price_cents: number }>('POST', `/internal/orders/${orderId}/price`, {
      json: { quantity, material, model: { triangles: model.triangles, size: [model.size_x, model.size_y, model.size_z] } },
    });
    await rt.db.query('UPDATE orders SET price_cents = $2 WHERE order_id = $1', [orderId, priced.body.price_cents]);
    return view(orderId);
  }

  return router;
}
