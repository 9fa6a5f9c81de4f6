import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A load generator of synthetic traces over OTLP/HTTP (JSON), the way an SDK would send them:
 * healthy traces at a given rate plus a trickle of traces with an error span.
 */
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

function trace(spans: number, error: boolean) {
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
      attributes: [str('flood.kind', error ? 'error' : 'healthy')],
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
  endpoint?: string;
}): Promise<FloodResult> {
  const endpoint = opts.endpoint ?? 'http://127.0.0.1:4318/v1/traces';
  const ticksPerSecond = 10;
  const tracesPerTick = Math.ceil(opts.healthySpansPerSecond / opts.spansPerTrace / ticksPerSecond);
  const result = { healthyTraces: 0, healthySpans: 0, errorTraceIds: [] as string[], seconds: opts.seconds };
  const end = Date.now() + opts.seconds * 1000;
  for (let tick = 0; Date.now() < end; tick++) {
    const started = Date.now();
    const batch = Array.from({ length: tracesPerTick }, () => trace(opts.spansPerTrace, false));
    if (tick % Math.round(ticksPerSecond / opts.errorTracesPerSecond) === 0) {
      const bad = trace(opts.spansPerTrace, true);
      result.errorTraceIds.push(bad.traceId);
      batch.push(bad);
    }
    const body = {
      resourceSpans: [{ resource: { attributes: [str('service.name', 'flood')] }, scopeSpans: [{ scope: { name: 'e2e-flood' }, spans: batch.flatMap((t) => t.spans) }] }],
    };
    const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    if (res.ok) {
      result.healthyTraces += tracesPerTick;
      result.healthySpans += tracesPerTick * opts.spansPerTrace;
    }
    await sleep(Math.max(0, 1000 / ticksPerSecond - (Date.now() - started)));
  }
  return result;
}

/** One sample of a Prometheus-format metric (summed over its series) from an exposition endpoint. */
export async function scrapeSum(url: string, metric: string, filter: RegExp = /.*/): Promise<number> {
  const text = await (await fetch(url)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric) || !filter.test(line)) continue;
    const name = line.split(/[{ ]/)[0];
    if (name !== metric) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
