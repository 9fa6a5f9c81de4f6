import { context, SpanKind, SpanStatusCode, trace, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import { unsuppressTracing } from '@opentelemetry/core';
import { matchedRoute } from '@orderscope/platform';
import type { Request, RequestHandler } from 'express';
import { ATTR } from './attributes.js';
import { restoreTraceContext, setRequestSpan, withOrderRoot, type StoredTraceContext } from './order-context.js';

/** What a service knows about the order a public request is about, found before the request runs. */
export interface RequestOrder {
  readonly orderId: string;
  readonly trace: StoredTraceContext | null;
}

export type RequestOrderResolver = (req: Request) => Promise<RequestOrder | null>;

const tracer = () => trace.getTracer('@orderscope/orders');
const REQUEST_SPAN_LOCAL = 'orderscopeRequestSpan';

/** The span publicRequestSpan started for this response's request (exemplars read it at the end). */
export function requestSpanContext(res: { locals?: Record<string, unknown> }): SpanContext | undefined {
  return (res.locals?.[REQUEST_SPAN_LOCAL] as Span | undefined)?.spanContext();
}

/** The order a public request is about, as its span names it (for the request's log record). */
export function requestOrderId(res: { locals?: Record<string, unknown> }): string | undefined {
  const span = res.locals?.[REQUEST_SPAN_LOCAL] as (Span & { attributes?: Record<string, unknown> }) | undefined;
  const orderId = span?.attributes?.[ATTR.orderId];
  return typeof orderId === 'string' ? orderId : undefined;
}

/**
 * The SERVER span of a request from outside (customers, operators, the carrier). Their
 * `traceparent` is never trusted — the HTTP instrumentation ignores these requests — so a caller
 * cannot attach spans to someone else's trace. If the request is about an existing order, its span
 * continues the order's stored trace; otherwise it starts a new one (a new order's root).
 * Requests between the services (internal token) are traced by the HTTP instrumentation instead,
 * continuing the caller's context.
 */
export function publicRequestSpan(resolve: RequestOrderResolver, enabled: () => boolean): RequestHandler {
  return async (req, res, next) => {
    if (!enabled() || trace.getSpan(context.active()) || /^\/(health|admin|rum)\//.test(req.path)) {
      next();
      return;
    }
    // The HTTP instrumentation runs the requests it ignores with tracing suppressed: lift that.
    let parent: Context = unsuppressTracing(context.active());
    let order: RequestOrder | null = null;
    try {
      // The look-up itself is not part of any trace (tracing is still suppressed here).
      order = await context.with(context.active(), () => resolve(req));
    } catch {
      order = null; // the route itself will answer the error
    }
    if (order?.trace) parent = restoreTraceContext(order.trace, parent);
    // Named by its route once one matched; until then (and if none does) by the method alone, as
    // the HTTP conventions say: a path with an order id in the name would make the span metrics'
    // span_name unbounded.
    const span = tracer().startSpan(
      req.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method,
          'url.path': req.path,
          'url.scheme': req.protocol,
          'server.port': req.socket.localPort ?? 0,
          ...(order ? { [ATTR.orderId]: order.orderId } : {}),
        },
      },
      order?.trace ? parent : trace.deleteSpan(parent),
    );
    res.locals[REQUEST_SPAN_LOCAL] = span;
    // The caller learns which server span answered it (W3C traceresponse): a browser links its
    // own span to it, which is how the customer's click and the order's trace meet without the
    // backend ever trusting the browser's traceparent.
    const sc = span.spanContext();
    res.setHeader('traceresponse', `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags.toString(16)}`);
    const nameByRoute = () => {
      const route = matchedRoute(req);
      if (route) {
        span.setAttribute('http.route', route);
        span.updateName(`${req.method} ${route}`);
      }
    };
    res.once('finish', () => {
      nameByRoute();
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    res.once('close', () => {
      if (!res.writableFinished) {
        nameByRoute();
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'client closed the connection' });
        span.end();
      }
    });
    // The order's root travels as baggage: the stored parent when the request continues an order,
    // this span when it begins a trace (it is the root if the request creates an order).
    const rootSpanId = order?.trace ? trace.getSpanContext(parent)?.spanId : span.spanContext().spanId;
    const ctx = rootSpanId ? withOrderRoot(trace.setSpan(parent, span), rootSpanId) : trace.setSpan(parent, span);
    context.with(setRequestSpan(ctx, span), next);
  };
}

/** Names who made the current request (an operator's id, never a name) on its span. */
export function setRequestActor(actorId: string): void {
  trace.getActiveSpan()?.setAttribute(ATTR.actor, actorId);
}
