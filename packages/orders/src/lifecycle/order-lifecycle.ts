import type { ServiceName } from '../topology.js';

/**
 * The order state machine: the one place that knows the statuses, who sets each, and what may
 * follow what (the mission's table, docs/order-flow.md). Every service and the CRM's order registry ask it.
 */
export const ORDER_STATUSES = [
  'INITIATED',
  'FILE_UPLOADED',
  'SUBMITTED',
  'PRICE_CALCULATED',
  'MANUFACTURING_APPROVED',
  'MANUFACTURING_STARTED',
  'MANUFACTURING_COMPLETED',
  'PACKAGING',
  'SHIPPED',
  'CLOSED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const CHANNELS = ['b2c', 'b2b'] as const;
/** b2c: a customer of the Internet Shop; b2b: a business client of the MES public API. */
export type Channel = (typeof CHANNELS)[number];

export interface Transition {
  /** Status the order must be in; null for the transition that creates the order. */
  readonly from: OrderStatus | null;
  readonly to: OrderStatus;
  /** The only service allowed to make this transition. */
  readonly by: ServiceName;
  readonly channel: Channel;
}

const SHARED_TAIL: ReadonlyArray<Omit<Transition, 'channel'>> = [
  { from: 'PRICE_CALCULATED', to: 'MANUFACTURING_APPROVED', by: 'crm' },
  { from: 'MANUFACTURING_APPROVED', to: 'MANUFACTURING_STARTED', by: 'mes' },
  { from: 'MANUFACTURING_STARTED', to: 'MANUFACTURING_COMPLETED', by: 'mes' },
  { from: 'MANUFACTURING_COMPLETED', to: 'PACKAGING', by: 'mes' },
  { from: 'PACKAGING', to: 'SHIPPED', by: 'mes' },
  { from: 'SHIPPED', to: 'CLOSED', by: 'crm' },
];

/**
 * B2C: the shop creates the order, takes the model file and the "Place order" click.
 * B2B: the business client uploads its model through the MES API, which is the order's creation
 * and placement at once, so INITIATED and SUBMITTED (the shop's) do not occur.
 */
export const TRANSITIONS: readonly Transition[] = [
  { from: null, to: 'INITIATED', by: 'shop', channel: 'b2c' },
  { from: 'INITIATED', to: 'FILE_UPLOADED', by: 'shop', channel: 'b2c' },
  { from: 'FILE_UPLOADED', to: 'SUBMITTED', by: 'shop', channel: 'b2c' },
  { from: 'SUBMITTED', to: 'PRICE_CALCULATED', by: 'mes-api', channel: 'b2c' },
  ...SHARED_TAIL.map((t) => ({ ...t, channel: 'b2c' as const })),
  { from: null, to: 'FILE_UPLOADED', by: 'mes-api', channel: 'b2b' },
  { from: 'FILE_UPLOADED', to: 'PRICE_CALCULATED', by: 'mes-api', channel: 'b2b' },
  ...SHARED_TAIL.map((t) => ({ ...t, channel: 'b2b' as const })),
];

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

/** The statuses an order of this channel passes through, in order. */
export function pathOf(channel: Channel): OrderStatus[] {
  return TRANSITIONS.filter((t) => t.channel === channel).map((t) => t.to);
}

export function ownerOf(channel: Channel, status: OrderStatus): ServiceName | undefined {
  return TRANSITIONS.find((t) => t.channel === channel && t.to === status)?.by;
}

export function isTerminal(status: OrderStatus): boolean {
  return status === 'CLOSED';
}

export type TransitionRefusal =
  | 'not_in_channel' // the status never occurs on this channel's path
  | 'wrong_owner' // another service owns this transition
  | 'out_of_order'; // the order is not in the status this transition starts from

export type TransitionCheck =
  | { readonly ok: true; readonly transition: Transition }
  | { readonly ok: false; readonly reason: TransitionRefusal; readonly message: string };

/**
 * May `actor` move an order of `channel` from `current` (null: the order does not exist yet) to
 * `next`? Replays of a transition already made are the registry's business, not the machine's.
 */
export function checkTransition(args: {
  channel: Channel;
  current: OrderStatus | null;
  next: OrderStatus;
  actor: ServiceName;
}): TransitionCheck {
  const { channel, current, next, actor } = args;
  const transition = TRANSITIONS.find((t) => t.channel === channel && t.to === next);
  if (!transition) {
    return { ok: false, reason: 'not_in_channel', message: `${next} does not occur on the ${channel} path` };
  }
  if (transition.by !== actor) {
    return {
      ok: false,
      reason: 'wrong_owner',
      message: `${next} on the ${channel} path is set by ${transition.by}, not ${actor}`,
    };
  }
  if (transition.from !== current) {
    const from = transition.from ?? 'no order yet';
    return {
      ok: false,
      reason: 'out_of_order',
      message: `${next} needs the order in ${from}, but it is ${current ?? 'not created yet'}`,
    };
  }
  return { ok: true, transition };
}
