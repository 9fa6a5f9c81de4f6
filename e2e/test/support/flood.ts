import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { otlpAuth, scrape, secureFetch, sumSeries } from './secure.js';

/**
 * A load generator of synthetic traces over OTLP/HTTP (JSON), the way an SDK would send them:
 * healthy traces at a given rate plus a trickle of traces with an error span.
 */
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const attr = (key: string, value: string | boolean) =>
  typeof value === 'boolean' ? { key, value: { boolValue: value } } : str(key, value);

function trace(spans: number, error: boolean, extra: Record<string, string | boolean>) {
  const traceId = randomBytes(16).toString('hex');
  const now = BigInt(Date.now()) * 1_000_000n;
  const root = randomBytes(8).toString('hex');
  return {
    traceId,
    spans: Array.from({ length: spans }, (_, i) => ({
      traceId,
      spanId: i === 0 ? root : randomBytes(8).toString('hex'),
      ...(i === 0 ? {} : { parentSpanId: root }),
      name: i === 0 ? 'GET /flood' : `step ${i}`,
      kind: i === 0 ? 2 : 1,
      startTimeUnixNano: String(now + BigInt(i) * 1000n),
      endTimeUnixNano: String(now + BigInt(i) * 1000n + 2_000_000n),
      attributes: [str('flood.kind', error ? 'error' : 'healthy'), ...Object.entries(extra).map(([k, v]) => attr(k, v))],
      ...(error && i === spans - 1 ? { status: { code: 2, message: 'flood error' } } : {}),
    })),
  };
}

export interface FloodResult {
  readonly healthyTraces: number;
  readonly healthySpans: number;
  readonly errorTraceIds: string[];
  readonly seconds: number;
}

export async function flood(opts: {
  seconds: number;
  healthySpansPerSecond: number;
  spansPerTrace: number;
  errorTracesPerSecond: number;
  /** Put on every span (e.g. order.skeleton, to pose as orders). */
  attributes?: Record<string, string | boolean>;
  endpoint?: string;
}): Promise<FloodResult> {
  const extra = opts.attributes ?? {};
  const endpoint = opts.endpoint ?? 'https://127.0.0.1:4318/v1/traces';
  const ticksPerSecond = 10;
  const tracesPerTick = Math.ceil(opts.healthySpansPerSecond / opts.spansPerTrace / ticksPerSecond);
  const result = { healthyTraces: 0, healthySpans: 0, errorTraceIds: [] as string[], seconds: opts.seconds };
  const end = Date.now() + opts.seconds * 1000;
  for (let tick = 0; Date.now() < end; tick++) {
    const started = Date.now();
    const batch = Array.from({ length: tracesPerTick }, () => trace(opts.spansPerTrace, false, extra));
    if (tick % Math.round(ticksPerSecond / opts.errorTracesPerSecond) === 0) {
      const bad = trace(opts.spansPerTrace, true, extra);
      result.errorTraceIds.push(bad.traceId);
      batch.push(bad);
    }
    const body = {
      resourceSpans: [{ resource: { attributes: [str('service.name', 'flood')] }, scopeSpans: [{ scope: { name: 'e2e-flood' }, spans: batch.flatMap((t) => t.spans) }] }],
    };
    // As one of the services would send it: mTLS with its certificate, its API key.
    const res = await secureFetch(
      endpoint,
      { method: 'POST', headers: { 'content-type': 'application/json', ...otlpAuth('shop') }, body: JSON.stringify(body) },
      'shop',
    );
    await res.arrayBuffer();
    if (res.ok) {
      result.healthyTraces += tracesPerTick;
      result.healthySpans += tracesPerTick * opts.spansPerTrace;
    }
    await sleep(Math.max(0, 1000 / ticksPerSecond - (Date.now() - started)));
  }
  return result;
}

/** One sample of a Prometheus-format metric (summed over its series, with or without _total) from one of the stack's metric endpoints. */
export async function scrapeSum(url: string, metric: string, filter: RegExp = /.*/): Promise<number> {
  return sumSeries(await scrape(url), metric, filter);
}

/**
 * The value of a counter once it has stopped moving: the collector pushes its own metrics every
 * 5 s, so a read right after the traffic may lag by one push.
 */
export async function settledSum(url: string, metric: string, filter: RegExp = /.*/, quietMs = 6000, deadlineMs = 60_000): Promise<number> {
  const until = Date.now() + deadlineMs;
  let last = await scrapeSum(url, metric, filter);
  for (;;) {
    await sleep(quietMs);
    const now = await scrapeSum(url, metric, filter);
    if (now === last || Date.now() > until) return now;
    last = now;
  }
}
