import assert from 'node:assert/strict';
import { SERVICE_NAMES } from '@orderscope/orders';
import { eventually, JAEGER_URL } from './stack.js';
import { componentFetch } from './secure.js';

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

/** Jaeger's API as a machine reaches it, or through the login (componentFetch). */
async function get<T>(path: string): Promise<T> {
  const res = await componentFetch(`${JAEGER_URL}${path}`);
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

/** On the order's skeleton (root, transitions, stuck marks), which the collector keeps for every order. */
export const isSkeleton = (span: JaegerSpan): boolean => tag(span, 'order.skeleton') === true;
/** The rest: what the tail sampling keeps or drops. */
export const detailSpans = (trace: JaegerTrace): JaegerSpan[] => trace.spans.filter((s) => !isSkeleton(s));

/** The status transition spans of a trace (replays included), in time order. */
export const transitionSpans = (trace: JaegerTrace): JaegerSpan[] =>
  trace.spans
    .filter((s) => tag(s, 'order.status') !== undefined && s.operationName.startsWith('order ') && s.operationName !== 'order stuck')
    .sort((a, b) => a.startTime - b.startTime);

/** Span ids whose CHILD_OF parent is not in the trace, and the spans that have no parent at all. */
export function treeOf(trace: JaegerTrace): { roots: JaegerSpan[]; orphans: JaegerSpan[]; duplicates: number } {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const parentOf = (s: JaegerSpan) => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
  return {
    roots: trace.spans.filter((s) => parentOf(s) === undefined),
    orphans: trace.spans.filter((s) => parentOf(s) !== undefined && !ids.has(parentOf(s)!)),
    duplicates: trace.spans.length - ids.size,
  };
}

/**
 * Every span's parent has reached Jaeger: a condition for orderTrace(). A parent ends after its
 * children and each service exports on its own schedule, so its batch can come after theirs; a read
 * in between sees an orphan the next export completes. Thrown, not returned: a timeout then names
 * what never found its parent, and the policy that kept it.
 */
export function parentsArrived(trace: JaegerTrace): true {
  const { orphans } = treeOf(trace);
  if (orphans.length) throw new Error(`parents missing of ${orphans.map((s) => `${s.operationName} (${tag(s, 'sampling.policy')})`).join(', ')}`);
  return true;
}

/** One tree: one root, on the skeleton; no span whose parent is missing; no span twice. */
export function assertOneTree(trace: JaegerTrace, what: string): void {
  const tree = treeOf(trace);
  assert.equal(tree.roots.length, 1, `${what}: one root (${tree.roots.map((s) => s.operationName).join(', ')})`);
  assert.ok(isSkeleton(tree.roots[0]!), `${what}: the root is on the skeleton`);
  assert.deepEqual(tree.orphans.map((s) => s.operationName), [], `${what}: no span whose parent is missing`);
  assert.equal(tree.duplicates, 0, `${what}: no span twice`);
}

/**
 * The one trace of an order, found through every service given (those it has reached) once
 * `until` holds; none, or two traces, fail.
 */
export async function orderTrace(
  orderId: string,
  until: (t: JaegerTrace) => boolean,
  services: readonly string[] = SERVICE_NAMES,
  deadlineMs = 30_000,
): Promise<JaegerTrace> {
  return eventually(`one trace of order ${orderId} through ${services.join(', ')}`, deadlineMs, async () => {
    const found = await Promise.all(services.map((s) => findOrderTraces(s, orderId)));
    if (found.some((f) => f.length !== 1)) return undefined;
    const ids = new Set(found.map((f) => f[0]!.traceID));
    assert.equal(ids.size, 1, `every service finds the same trace for ${orderId}: ${[...ids].join(', ')}`);
    const trace = await getTrace([...ids][0]!);
    return trace && until(trace) ? trace : undefined;
  });
}
