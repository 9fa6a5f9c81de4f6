import { context, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import type { OrderStatus } from '../lifecycle/order-lifecycle.js';
import type { TransitionRecord } from '../contracts/registry-model.js';
import { ATTR } from './attributes.js';
import { orderRootContext } from './order-context.js';

const tracer = () => trace.getTracer('@orderscope/orders');

/**
 * The span of one status transition, in the service that owns it: the new and the previous
 * status, the time the order spent in the previous one, and at CLOSED the whole lifecycle.
 *
 * It belongs to the order's skeleton (`order.skeleton`), which the collector keeps for every
 * order: its parent is the order's root span (not the request that made it, whose detail may be
 * sampled away), and it links to that request's span. The work runs in the caller's context, so
 * the detail nests under the request as it would without this span.
 *
 * When the request is the root (the one that creates the order), there is no link: Jaeger reads a
 * link to a span's own parent as its reference type (FOLLOWS_FROM) and the parent would be lost.
 */
export async function tracedTransition<T extends { transition: TransitionRecord; replayed: boolean }>(
  status: OrderStatus,
  work: () => Promise<T>,
  attributes: Attributes = {},
): Promise<T> {
  const active = context.active();
  const root = orderRootContext(active);
  const request = trace.getSpanContext(active);
  const span = tracer().startSpan(
    `order ${status}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: { ...attributes, [ATTR.status]: status, [ATTR.skeleton]: true },
      ...(root && request && request.spanId !== root.spanId ? { links: [{ context: request }] } : {}),
    },
    root ? trace.setSpanContext(active, root) : active,
  );
  try {
    const result = await work();
    const t = result.transition;
    span.setAttributes({
      [ATTR.channel]: t.channel,
      [ATTR.replayed]: result.replayed,
      ...(t.previous_status ? { [ATTR.previousStatus]: t.previous_status } : {}),
      ...(t.previous_status_ms !== null ? { [ATTR.previousStatusDurationMs]: t.previous_status_ms } : {}),
      ...(t.lifecycle_ms !== null ? { [ATTR.lifecycleDurationMs]: t.lifecycle_ms } : {}),
    });
    return result;
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    throw err;
  } finally {
    span.end();
  }
}

