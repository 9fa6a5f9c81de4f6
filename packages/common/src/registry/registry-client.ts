import type { Channel, OrderStatus } from '../lifecycle/order-lifecycle.js';
import type { ServiceName } from '../services.js';
import type { CallStats, ServiceClient } from '../http/client.js';

/** One status change as the CRM's order registry stores it. */
export interface TransitionRecord {
  readonly order_id: string;
  readonly seq: number;
  readonly status: OrderStatus;
  readonly previous_status: OrderStatus | null;
  readonly actor: ServiceName;
  readonly channel: Channel;
  readonly occurred_at: string;
  /** Milliseconds the order spent in previous_status. */
  readonly previous_status_ms: number | null;
}

export interface RegisteredOrder {
  readonly order_id: string;
  readonly channel: Channel;
  readonly status: OrderStatus;
  readonly status_since: string;
  readonly created_at: string;
  readonly closed_at: string | null;
  readonly history: TransitionRecord[];
}

export interface RecordedTransition {
  readonly transition: TransitionRecord;
  /** True when the registry already had this transition (a retry): nothing was written. */
  readonly replayed: boolean;
  readonly call: CallStats;
}

/**
 * The registry as the other services see it: they record each transition they make there, and the
 * registry refuses (409) what the order lifecycle does not allow.
 */
export class RegistryClient {
  constructor(
    private readonly actor: ServiceName,
    private readonly crm: ServiceClient,
  ) {}

  async record(
    orderId: string,
    status: OrderStatus,
    extra: { channel?: Channel; userId?: string } = {},
  ): Promise<RecordedTransition> {
    const result = await this.crm.send<{ transition: TransitionRecord; replayed: boolean }>(
      'PUT',
      `/internal/registry/orders/${encodeURIComponent(orderId)}/transitions/${status}`,
      { json: { actor: this.actor, channel: extra.channel, user_id: extra.userId } },
    );
    const { status: _s, body, ...call } = result;
    return { transition: body.transition, replayed: body.replayed, call };
  }

  async get(orderId: string): Promise<RegisteredOrder> {
    const result = await this.crm.send<RegisteredOrder>('GET', `/registry/orders/${encodeURIComponent(orderId)}`);
    return result.body;
  }
}
