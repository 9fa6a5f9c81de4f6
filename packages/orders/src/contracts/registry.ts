import type { ServiceClient } from '@orderscope/platform';
import type { Channel, OrderStatus } from '../lifecycle/order-lifecycle.js';
import type { ServiceName } from '../topology.js';
import type { StoredTraceContext } from '../tracing/order-context.js';
import { tracedTransition } from '../tracing/transition.js';
import type { RecordedTransition, RegisteredOrder, TransitionRecord } from './registry-model.js';

export type * from './registry-model.js';

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
    extra: { channel?: Channel; userId?: string; traceContext?: StoredTraceContext | null } = {},
  ): Promise<RecordedTransition> {
    return tracedTransition(status, async () => {
      const result = await this.crm.send<{ transition: TransitionRecord; replayed: boolean; trace_context: StoredTraceContext | null }>(
        'PUT',
        `/internal/registry/orders/${encodeURIComponent(orderId)}/transitions/${status}`,
        { json: { actor: this.actor, channel: extra.channel, user_id: extra.userId, trace_context: extra.traceContext ?? undefined } },
      );
      const { status: _s, body, ...call } = result;
      return { transition: body.transition, replayed: body.replayed, trace_context: body.trace_context, call };
    });
  }

  async get(orderId: string): Promise<RegisteredOrder> {
    const result = await this.crm.send<RegisteredOrder>('GET', `/registry/orders/${encodeURIComponent(orderId)}`);
    return result.body;
  }
}
