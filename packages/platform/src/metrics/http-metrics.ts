import { context, trace, type SpanContext } from '@opentelemetry/api';
import type { RequestHandler, Response } from 'express';
import { matchedRoute } from '../http/route.js';
import type { ServiceMetrics } from './registry.js';

/** Which requests carry their trace as an exemplar: errors, and those at least this slow. */
export interface ExemplarPolicy {
  /** The collector's slow-step threshold (OTELCOL_SLOW_STEP_MS, 1 s by default). */
  readonly slowerThanS: number;
  /** The request's span once it answered, when the app starts it itself (else the active span). */
  readonly spanOf?: (res: Response) => SpanContext | undefined;
}
export const DEFAULT_EXEMPLARS: ExemplarPolicy = { slowerThanS: 1 };

/** `route` of requests no route matched (404s, and requests answered before routing). */
export const UNMATCHED_ROUTE = 'unmatched';
/** `status_code` of requests whose client went away before the response was complete (nginx's 499). */
export const ABORTED_STATUS = '499';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Records every request in `http_server_request_duration_seconds{method,route,status_code}`
 * and `http_server_requests_in_flight`. `route` is the matched route's pattern, never the raw URL
 * (ids would make a series per order, see matchedRouteMiddleware); requests no route matched count
 * as "unmatched".
 */
export function httpMetricsMiddleware(metrics: ServiceMetrics, exemplars: ExemplarPolicy = DEFAULT_EXEMPLARS): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    // The request's server span if one is active now (at 'close' it no longer is).
    const active = trace.getSpan(context.active())?.spanContext();
    const method = KNOWN_METHODS.has(req.method) ? req.method : '_OTHER';
    metrics.httpRequestsInFlight.inc();
    // 'close' comes once per response: after it finished, or when the connection was lost first.
    res.once('close', () => {
      metrics.httpRequestsInFlight.dec();
      const status = res.writableFinished ? String(res.statusCode) : ABORTED_STATUS;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const labels = { method, route: matchedRoute(req) ?? UNMATCHED_ROUTE, status_code: status };
      const span = exemplars.spanOf?.(res) ?? active;
      // Exemplars only for requests whose trace the collector's tail sampling keeps (a 5xx is an
      // error, a slow one a slow step), so that every exemplar opens a trace Jaeger has.
      if (span && trace.isSpanContextValid(span) && (Number(status) >= 500 || seconds >= exemplars.slowerThanS)) {
        metrics.httpRequestDuration.observe({ labels, value: seconds, exemplarLabels: { trace_id: span.traceId, span_id: span.spanId } as never });
      } else {
        // With exemplars enabled, prom-client takes only the object form.
        metrics.httpRequestDuration.observe({ labels, value: seconds });
      }
    });
    next();
  };
}
