// The light subpath: this module is loaded before the SDK starts (service-kit's telemetry/register).
import { CALL_ATTR } from '@orderscope/platform/telemetry/attributes';

/**
 * Span attribute names of the order's data (docs/tracing.md maps them to the mission's list).
 * `order_id` and `user_id` are plain names so that a Jaeger tag search is `order_id=<id>`.
 */
export const ATTR = {
  /** Calls between services: retries, attempts, timeouts, the peer (the platform's names). */
  ...CALL_ATTR,
  orderId: 'order_id',
  /** Keyed hash (HMAC-SHA256) of the customer's id; the raw id never leaves the services. */
  userId: 'user_id',
  channel: 'order.channel',
  status: 'order.status',
  previousStatus: 'order.previous_status',
  previousStatusDurationMs: 'order.previous_status_duration_ms',
  lifecycleDurationMs: 'order.lifecycle_duration_ms',
  replayed: 'order.transition.replayed',
  /**
   * Who made the step, beyond the service: the MES operator's id (never their name), on the
   * operator's request span and on the transition's skeleton span.
   */
  actor: 'orderscope.actor',
  /**
   * On the order's skeleton — its root span, one span per status transition, the stuck marks —
   * which the collector keeps for every order, whatever the sampling of the detail decides.
   */
  skeleton: 'order.skeleton',
  stuck: 'order.stuck',
  stuckForMs: 'order.stuck_for_ms',
  /** The wall time the order's status allows (the CRM's configured wait for it). */
  allowedWaitMs: 'order.allowed_wait_ms',
} as const;

/** Baggage entries that travel with an order between services and land on every span. */
export const ORDER_BAGGAGE_KEYS = [ATTR.orderId, ATTR.userId] as const;

/**
 * Baggage entry (not an attribute) with the span id of the order's root, so that a transition in
 * any service can hang its skeleton span directly under the root (docs/tracing.md).
 */
export const ORDER_ROOT_BAGGAGE_KEY = 'orderscope.order_root';
