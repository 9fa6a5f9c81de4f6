import { context, propagation, trace, TraceFlags, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { z } from 'zod';
import { ATTR, ORDER_ROOT_BAGGAGE_KEY } from './attributes.js';

/**
 * An order's trace context as stored with the order in PostgreSQL: the W3C `traceparent` of the
 * order's root span and its baggage (order_id, pseudonymised user_id). Every later step of the order,
 * in any service, continues this trace — the way a queue consumer continues the producer's context.
 */
export interface StoredTraceContext {
  traceparent: string;
  baggage?: string;
}

/** A stored trace context as it travels between services (the hand-off, the registry): W3C only. */
export const storedTraceContextSchema = z.object({
  traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'must be a W3C traceparent'),
  baggage: z.string().max(2048).optional(),
});

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

const SPAN_ID = /^[0-9a-f]{16}$/;

/** Context whose baggage names `rootSpanId` as the root of the order's trace. */
export function withOrderRoot(ctx: Context, rootSpanId: string): Context {
  const baggage = propagation.getBaggage(ctx) ?? propagation.createBaggage();
  return propagation.setBaggage(ctx, baggage.setEntry(ORDER_ROOT_BAGGAGE_KEY, { value: rootSpanId }));
}

/**
 * The order's root span as a parent, in the active trace: from the baggage that travels with the
 * order (set where its trace began, stored with it, carried on every call between the services).
 */
export function orderRootContext(ctx: Context = context.active()): SpanContext | undefined {
  const rootSpanId = propagation.getBaggage(ctx)?.getEntry(ORDER_ROOT_BAGGAGE_KEY)?.value;
  const current = trace.getSpanContext(ctx);
  if (!rootSpanId || !SPAN_ID.test(rootSpanId) || !current || !trace.isSpanContextValid(current)) return undefined;
  return { traceId: current.traceId, spanId: rootSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
}

/**
 * The order's trace context to store: the current request span (the order's root at creation).
 * That span becomes part of the order's skeleton, which the collector never samples away.
 */
export function captureTraceContext(): StoredTraceContext | null {
  const active = context.active();
  const span = (active.getValue(REQUEST_SPAN) as Span | undefined) ?? trace.getSpan(active);
  if (!span || !span.spanContext().traceId || !trace.isSpanContextValid(span.spanContext())) return null;
  if (propagation.getBaggage(active)?.getEntry(ORDER_ROOT_BAGGAGE_KEY)?.value === span.spanContext().spanId) {
    span.setAttribute(ATTR.skeleton, true);
  }
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpan(active, span), carrier, recordSetter);
  if (!carrier.traceparent) return null;
  return { traceparent: carrier.traceparent, ...(carrier.baggage ? { baggage: carrier.baggage } : {}) };
}

/** The context a stored trace context continues (parent span and baggage). */
export function restoreTraceContext(stored: StoredTraceContext, base: Context = context.active()): Context {
  return w3c.extract(base, { ...stored }, recordGetter);
}

/** The trace id of a stored context (its traceparent), or null. */
export function storedTraceId(stored: StoredTraceContext | null | undefined): string | null {
  return /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(stored?.traceparent ?? '')?.[1] ?? null;
}
