import { storedTraceId, type StoredTraceContext, type TraceLink } from '@orderscope/orders';

/** "Where is my order?" leads to its trace: the trace id of the stored context, and its page in Jaeger. */
export function traceLink(jaegerUiUrl: string, stored: StoredTraceContext | null | undefined): TraceLink | null {
  const traceId = storedTraceId(stored);
  return traceId ? { trace_id: traceId, jaeger_url: `${jaegerUiUrl}/trace/${traceId}` } : null;
}

/** An order as the registry answers it, with the link to its trace. */
export function withTraceLink<T extends { trace_context?: StoredTraceContext | null }>(jaegerUiUrl: string, order: T): T & { trace: TraceLink | null } {
  return { ...order, trace: traceLink(jaegerUiUrl, order.trace_context) };
}
