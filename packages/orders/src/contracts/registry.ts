import { z } from 'zod';
import { callEndpoint, endpoint, type ServiceClient } from '@orderscope/platform';
import { CHANNELS, ORDER_STATUSES, type Channel, type OrderStatus } from '../lifecycle/order-lifecycle.js';
import { SERVICE_NAMES, type ServiceName } from '../topology.js';
import { storedTraceContextSchema, type StoredTraceContext } from '../tracing/order-context.js';
import { tracedTransition } from '../tracing/transition.js';
import { ATTR } from '../tracing/attributes.js';
import { appliedTransitionSchema, registeredOrderSchema, type RecordedTransition, type RegisteredOrder } from './registry-model.js';

export * from './registry-model.js';

/** The CRM's order registry, the contract every service records its transitions through. */
export const registryContract = {
  /** Records one transition; the first of an order also gives its channel, customer and trace context. */
  recordTransition: endpoint({
    method: 'PUT',
    path: '/internal/registry/orders/:orderId/transitions/:status',
    params: z.object({ orderId: z.uuid(), status: z.enum(ORDER_STATUSES) }),
    request: z.object({
      actor: z.enum(SERVICE_NAMES),
      /** The person behind the service's step (a MES operator), by id. */
      operator_id: z.uuid().optional(),
      channel: z.enum(CHANNELS).optional(),
      user_id: z.string().min(1).max(128).optional(),
      trace_context: storedTraceContextSchema.optional(),
    }),
    response: appliedTransitionSchema,
  }),
  /** "Where is my order?" */
  getOrder: endpoint({
    method: 'GET',
    path: '/registry/orders/:orderId',
    params: z.object({ orderId: z.uuid() }),
    request: z.undefined(),
    response: registeredOrderSchema,
  }),
} as const;

/**
 * The registry as the other services see it: they record each transition they make there, and the
 * registry refuses (409) what the order lifecycle does not allow.
 */
export class RegistryClient {
  constructor(
    private readonly actor: ServiceName,
    private readonly crm: ServiceClient,
  ) {}

  /** Records a transition; the first of an order also gives its channel, customer and trace context. */
  async record(
    orderId: string,
    status: OrderStatus,
    extra: { channel?: Channel; userId?: string; traceContext?: StoredTraceContext | null; operatorId?: string } = {},
  ): Promise<RecordedTransition> {
    return tracedTransition(status, async () => {
      const result = await callEndpoint(this.crm, registryContract.recordTransition, {
        params: { orderId, status },
        body: {
          actor: this.actor,
          ...(extra.operatorId ? { operator_id: extra.operatorId } : {}),
          ...(extra.channel ? { channel: extra.channel } : {}),
          ...(extra.userId ? { user_id: extra.userId } : {}),
          ...(extra.traceContext ? { trace_context: extra.traceContext } : {}),
        },
      });
      const { status: _s, body, ...call } = result;
      return { ...body, call };
    }, extra.operatorId ? { [ATTR.actor]: extra.operatorId } : {});
  }

  async get(orderId: string): Promise<RegisteredOrder> {
    return (await callEndpoint(this.crm, registryContract.getOrder, { params: { orderId } })).body;
  }
}
