import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Buckets of the request-duration histogram, in seconds: OpenTelemetry's recommendation for
 * http.server.request.duration (5 ms to 10 s; the services' own call timeouts are a few seconds).
 */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export type HttpLabel = 'method' | 'route' | 'status_code';

/**
 * One service's metrics: what its `/metrics` serves. Series carry no job/instance/service label:
 * Prometheus adds job and instance from the scrape target.
 *
 * A service adds its own metrics to `registry` (e.g. through `runtime.metrics.registry`):
 * `new Counter({ name: 'orders_created_total', help: '…', registers: [runtime.metrics.registry] })`.
 * Never to prom-client's global registry, which nothing serves.
 */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** Time from the request reaching the app to the response finishing, per route pattern. */
  readonly httpRequestDuration: Histogram<HttpLabel>;
  readonly httpRequestsInFlight: Gauge;
}

/** A fresh registry with Node's default process metrics and the HTTP server metrics. */
export function createServiceMetrics(): ServiceMetrics {
  // OpenMetrics, the text format that carries exemplars (Prometheus 3 asks for it first). Typed as
  // the default registry: only the content type differs, and the functions that add metrics to it
  // take any registry.
  const registry = new Registry();
  (registry as unknown as Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  // No prefix, no default labels: process_cpu_user_seconds_total, nodejs_eventloop_lag_seconds, ...
  collectDefaultMetrics({ register: registry });
  const httpRequestDuration = new Histogram<HttpLabel>({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP requests the service answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_DURATION_BUCKETS,
    // A bucket's exemplar: the trace of a request the collector keeps (httpMetricsMiddleware).
    enableExemplars: true,
    registers: [registry],
  });
  const httpRequestsInFlight = new Gauge({
    name: 'http_server_requests_in_flight',
    help: 'HTTP requests the service is handling right now.',
    registers: [registry],
  });
  return { registry, httpRequestDuration, httpRequestsInFlight };
}
