import { context, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { ATTR } from './attributes.js';

/**
 * An order's trace context as stored with the order in PostgreSQL: the W3C `traceparent` of the
 * order's root span and its baggage (order_id, pseudonymised user_id). Every later step of the order,
 * in any service, continues this trace — the way a queue consumer continues the producer's context.
 */
export interface StoredTraceContext {
  traceparent: string;
  baggage?: string;
}

const REQUEST_SPAN = Symbol('orderscope.request-span');

/** Stored contexts are read and written with W3C directly, whatever the global propagator is. */
const w3c = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
const recordSetter = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};
const recordGetter = {
  get: (carrier: Record<string, string>, key: string) => carrier[key],
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
};

/** The span that stands for the current HTTP request (set by the server-side middleware). */
export function setRequestSpan(ctx: Context, span: Span): Context {
  return ctx.setValue(REQUEST_SPAN, span);
}

/** Context in which `orderId` (and the customer's pseudonym) ride along as baggage and attributes. */
export function orderContext(orderId: string, userPseudonym?: string, base: Context = context.active()): Context {
  const entries: Record<string, { value: string }> = { [ATTR.orderId]: { value: orderId } };
  if (userPseudonym) entries[ATTR.userId] = { value: userPseudonym };
  const existing = propagation.getBaggage(base);
  const baggage = existing ? Object.entries(entries).reduce((b, [k, v]) => b.setEntry(k, v), existing) : propagation.createBaggage(entries);
  return propagation.setBaggage(base, baggage);
}

/**
 * Runs `work` as part of order `orderId`: the spans already open for this request get the order's
 * attributes, and every span started inside gets them from baggage.
 */
export function withOrder<T>(orderId: string, work: () => T, userPseudonym?: string): T {
  const active = context.active();
  const attrs = { [ATTR.orderId]: orderId, ...(userPseudonym ? { [ATTR.userId]: userPseudonym } : {}) };
  trace.getSpan(active)?.setAttributes(attrs);
  (active.getValue(REQUEST_SPAN) as Span | undefined)?.setAttributes(attrs);
  return context.with(orderContext(orderId, userPseudonym, active), work);
}

/** The order's trace context to store: the current request span (the order's root at creation). */
export function captureTraceContext(): StoredTraceContext | null {
  const active = context.active();
  const span = (active.getValue(REQUEST_SPAN) as Span | undefined) ?? trace.getSpan(active);
  if (!span || !span.spanContext().traceId || !trace.isSpanContextValid(span.spanContext())) return null;
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpan(active, span), carrier, recordSetter);
  if (!carrier.traceparent) return null;
  return { traceparent: carrier.traceparent, ...(carrier.baggage ? { baggage: carrier.baggage } : {}) };
}

/** The context a stored trace context continues (parent span and baggage). */
export function restoreTraceContext(stored: StoredTraceContext, base: Context = context.active()): Context {
  return w3c.extract(base, { ...stored }, recordGetter);
}
