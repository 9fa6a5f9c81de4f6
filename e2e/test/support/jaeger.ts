import { secureFetch } from './secure.js';
import { JAEGER_URL } from './stack.js';

/** Jaeger's HTTP query API (the one its UI uses), read-only. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  startTime: number;
  duration: number;
  processID: string;
  references: Array<{ refType: string; spanID: string; traceID: string }>;
  tags: Array<{ key: string; type: string; value: unknown }>;
  logs: Array<{ timestamp: number; fields: Array<{ key: string; value: unknown }> }>;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: Array<{ key: string; value: unknown }> }>;
}

async function get<T>(path: string): Promise<T> {
  const res = await secureFetch(`${JAEGER_URL}${path}`, { signal: AbortSignal.timeout(10_000) }, 'grafana');
  if (res.status === 404) return { data: [] } as T;
  if (!res.ok) throw new Error(`jaeger ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Traces of `service` that have a span of that service tagged order_id=<orderId>. */
export async function findOrderTraces(service: string, orderId: string): Promise<JaegerTrace[]> {
  const tags = encodeURIComponent(JSON.stringify({ order_id: orderId }));
  const r = await get<{ data: JaegerTrace[] | null }>(`/api/traces?service=${service}&tags=${tags}&lookback=2h&limit=20`);
  return r.data ?? [];
}

export async function getTrace(traceId: string): Promise<JaegerTrace | undefined> {
  const r = await get<{ data: JaegerTrace[] | null }>(`/api/traces/${traceId}`);
  return r.data?.[0];
}

export const tag = (span: JaegerSpan, key: string): unknown => span.tags.find((t) => t.key === key)?.value;
export const serviceOf = (trace: JaegerTrace, span: JaegerSpan): string => trace.processes[span.processID]!.serviceName;
export const isError = (span: JaegerSpan): boolean => tag(span, 'error') === true || tag(span, 'otel.status_code') === 'ERROR';
