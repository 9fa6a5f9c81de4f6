/**
 * The storefront's telemetry (OpenTelemetry web): page loads, the customer's clicks, the API calls
 * they make, JS errors and unhandled rejections, and the web vitals — each span with the session
 * and, once the order exists, its order_id. Sent same-origin to the shop's relay, never to the
 * collector: a browser has no client certificate, and any key in this bundle would be public.
 * No personal data and no bodies: only names, routes, statuses, timings.
 */
import { context, SpanStatusCode, trace, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, StackContextManager, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { onCLS, onINP, onLCP, type Metric } from 'web-vitals';
import { RUM_SERVICE_NAME, RUM_TRACES_PATH } from '../contract.js';

const SESSION_KEY = 'orderscope.session';

/** A random id per browser tab session: joins one customer's spans, says nothing about them. */
export const sessionId: string = sessionStorage.getItem(SESSION_KEY) ?? crypto.randomUUID();
sessionStorage.setItem(SESSION_KEY, sessionId);

let currentOrder: string | undefined;
/**
 * The roots of this page's traces begun before the order existed (its load, its vitals, the first
 * click): the order's `order joined` span links them, so the order's id finds them too. Bounded.
 */
const beforeOrder: SpanContext[] = [];
const BEFORE_ORDER_MAX = 32;

/**
 * From now on every span carries this order; the click that created it gets it too, and one
 * `order joined` span, found by order_id like the rest, links what came before.
 */
export function setOrder(orderId: string): void {
  currentOrder = orderId;
  trace.getSpan(actionContext ?? context.active())?.setAttribute('order_id', orderId);
  const links = beforeOrder.splice(0).map((c) => ({ context: c, attributes: { 'link.kind': 'before-order' } }));
  tracer.startSpan('order joined', { links, root: true }).end();
}

/** session.id and order_id on every span, at its start. */
const stamp: SpanProcessor = {
  onStart: (span, parent) => {
    span.setAttribute('session.id', sessionId);
    span.setAttribute('page.path', location.pathname);
    if (currentOrder) span.setAttribute('order_id', currentOrder);
    else if (!trace.getSpanContext(parent) && beforeOrder.length < BEFORE_ORDER_MAX) beforeOrder.push(span.spanContext());
  },
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': RUM_SERVICE_NAME }),
  spanProcessors: [
    stamp,
    new BatchSpanProcessor({
      exporter: new OTLPTraceExporter({ url: `${location.origin}${RUM_TRACES_PATH}` }),
      maxExportBatchSize: 64,
      scheduledDelayMillis: 2000,
    }),
  ],
});
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new StackContextManager().enable());
const tracer = trace.getTracer('@orderscope/storefront');

/** `traceresponse` (W3C Trace Context, level 2): the shop's server span for this request. */
const TRACE_RESPONSE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
export function linkToServer(span: Span, header: string | null): void {
  const m = header ? TRACE_RESPONSE.exec(header) : null;
  if (!m) return;
  // A link, not a parent: the backend never continues a trace the browser started, so the click
  // and the server work it caused stay two traces, joined by this link and by order_id.
  span.addLink({ context: { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16), isRemote: true }, attributes: { 'link.kind': 'server' } });
}

registerInstrumentations({
  tracerProvider: provider,
  instrumentations: [
    new DocumentLoadInstrumentation(),
    new FetchInstrumentation({
      ignoreUrls: [new RegExp(`${RUM_TRACES_PATH}$`)],
      // Same origin only, and the shop ignores a browser's traceparent anyway (publicRequestSpan).
      propagateTraceHeaderCorsUrls: [],
      ignoreNetworkEvents: true,
      applyCustomAttributesOnSpan: (span, _request, result) => {
        if (result instanceof Response) linkToServer(span, result.headers.get('traceresponse'));
      },
    }),
  ],
});

/** What the customer's click started: its span is the parent of the calls made for it. */
let actionContext: Context | undefined;
export const inAction = <T>(fn: () => T): T => (actionContext ? context.with(actionContext, fn) : fn());

/** A click on a [data-action] element: one span for what it does, ended when that is done. */
export async function action<T>(name: string, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(`click ${name}`, { attributes: { 'ui.action': name } }, async (span) => {
    actionContext = trace.setSpan(context.active(), span);
    try {
      return await work();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      actionContext = undefined;
      span.end();
    }
  });
}

/** A JS error or an unhandled rejection: a span of its own, with the exception, marked as an error. */
function browserError(kind: 'error' | 'unhandledrejection', err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  const span = tracer.startSpan(`browser ${kind}`, { attributes: { 'error.type': e.name, 'browser.error.kind': kind } });
  span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
  span.end();
}
addEventListener('error', (ev) => browserError('error', ev.error ?? ev.message));
addEventListener('unhandledrejection', (ev) => browserError('unhandledrejection', ev.reason));

/**
 * A web vital, as reported (LCP and CLS when the page is hidden, INP after interactions): a span
 * that lasts the vital's value in milliseconds (CLS, unitless, ×1000), so the collector's span
 * metrics give its histogram; the exact value rides along as an attribute.
 */
function vital(metric: Metric): void {
  const ms = metric.name === 'CLS' ? metric.value * 1000 : metric.value;
  const end = performance.timeOrigin + performance.now();
  const span = tracer.startSpan(`web-vital ${metric.name}`, {
    startTime: end - ms,
    attributes: { 'web_vital.name': metric.name, 'web_vital.value': metric.value, 'web_vital.rating': metric.rating },
  });
  span.end(end);
}
onLCP(vital, { reportAllChanges: true });
onINP(vital, { reportAllChanges: true });
onCLS(vital, { reportAllChanges: true });

// What is batched leaves before the page does.
addEventListener('pagehide', () => void provider.forceFlush());
export const flushTelemetry = () => provider.forceFlush();
