import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sumSeries } from '../support/prom-text.js';
import { root } from '../support/stack.js';
import {
  assertPortsFree,
  fullEnv,
  fullMetrics,
  httpMetrics,
  plainConfig,
  PORTS,
  sinkConfig,
  startCollector,
  stopProcess,
  subdir,
  telemetrygen,
  type Collector,
  type Workspace,
  workspace,
} from './b2-collectors.js';
import { spread, type BenchResult } from './result.js';

type Side = 'plain' | 'full';
/** What is measured at saturation: plain, the full config as shipped, and the full config with the e2e tests' decision_wait. */
type Run = 'plain' | 'full' | 'fast';
const FAST_WAIT = '5s';

/**
 * The collector under test gets core 1 to itself (as far as the shared machine allows: the native
 * stack runs on both); the load generators and the sink share core 0. On two cores a generator
 * cannot outrun the plain collector (below), and without pinning it would take the collector's CPU.
 */
const COLLECTOR_CPU = '1';
const LOAD_CPU = '0';

/**
 * The full side's config: collector/config.yaml as shipped, or B2_FULL_CONFIG (a path) to measure
 * another one on the same machine in the same conditions (before/after a change to the pipeline).
 */
const FULL_CONFIG = process.env.B2_FULL_CONFIG ? resolve(process.env.B2_FULL_CONFIG) : resolve(root, 'collector/config.yaml');
/** The config's own default (compose's too): the full side runs as shipped. */
const DECISION_WAIT = /OTELCOL_DECISION_WAIT:-(\d+s)/.exec(readFileSync(FULL_CONFIG, 'utf8'))![1]!;

async function start(ws: Workspace, side: Side, round: string, decisionWait = DECISION_WAIT): Promise<Collector> {
  if (side === 'plain') {
    return startCollector(ws, `plain${round}`, { config: plainConfig(ws), health: PORTS.plain.health, metrics: httpMetrics(PORTS.plain.metrics), cpus: COLLECTOR_CPU });
  }
  return startCollector(ws, `full${round}`, {
    config: FULL_CONFIG,
    env: fullEnv(ws, subdir(ws, `queue${round}`), decisionWait),
    health: PORTS.full.health,
    metrics: fullMetrics(ws),
    cpus: COLLECTOR_CPU,
    // As local:up starts it.
    args: ['--feature-gates=processor.tailsamplingprocessor.recordpolicy'],
  });
}

/** Attributes as our spans carry them where the pipeline looks (order_id, order.*, http.*, peer.service). */
const DETAIL = {
  order_id: 'ORD-B2-000001',
  user_id: 'u-5f1c2a9e0b7d',
  'order.status': 'IN_PRODUCTION',
  'peer.service': 'mes',
  'http.request.method': 'POST',
  'http.route': '/orders/:id/steps',
  'url.path': '/orders/ORD-B2-000001/steps',
  'http.response.status_code': 200,
  'server.address': '127.0.0.1',
};
const SKELETON = { order_id: 'ORD-B2-000001', user_id: 'u-5f1c2a9e0b7d', 'order.skeleton': true, 'order.status': 'SHIPPED', 'order.previous_status': 'IN_PRODUCTION' };

/**
 * The load on one collector: traces of 50 spans (detail), skeleton traces of 10 spans
 * (order.skeleton: the skeleton pipeline), failed traces (status ERROR: the errors policy).
 * `detail` null: as fast as the generators go (saturation); else spans/s.
 */
function load(ws: Workspace, side: Side, seconds: number, rates: { detail: number | null; skeleton: number; errors: number }): ChildProcess[] {
  const port = PORTS[side].grpc;
  const gen = (o: Omit<Parameters<typeof telemetrygen>[2], 'seconds' | 'cpus'>) => telemetrygen(ws, port, { seconds, cpus: LOAD_CPU, ...o });
  // Unthrottled, telemetrygen makes spans faster than it can send them and drops the rest, burning
  // the generator's core; many workers with a cap each reach more (measured: ~25k spans/s a process).
  const detail =
    rates.detail === null
      ? [1, 2].map(() => gen({ workers: 32, rate: 1000, childSpans: 49, attributes: DETAIL }))
      : [gen({ workers: 4, rate: rates.detail / 4, childSpans: 49, attributes: DETAIL })];
  return [
    ...detail,
    gen({ workers: 1, rate: rates.skeleton, childSpans: 9, attributes: SKELETON }),
    gen({ workers: 1, rate: rates.errors, childSpans: 49, attributes: DETAIL, status: 'Error' }),
  ];
}

interface Sample {
  text: string;
  t: number;
  accepted: number;
  refused: number;
  cpu: number;
}

/** The collector's receiver counters (OTLP gRPC, spans) and its CPU time, every `everyMs` until `until`. */
async function sampleUntil(col: Collector, until: Promise<unknown>, everyMs: number): Promise<Sample[]> {
  const t0 = Date.now();
  const out: Sample[] = [];
  let done = false;
  void until.then(() => (done = true));
  while (!done) {
    const text = await col.metrics().catch(() => '');
    const cpu = col.cpuSeconds();
    if (text) {
      out.push({
        text,
        t: (Date.now() - t0) / 1000,
        accepted: sumSeries(text, 'otelcol_receiver_accepted_spans', /receiver="otlp",/),
        refused: sumSeries(text, 'otelcol_receiver_refused_spans', /receiver="otlp",/),
        cpu,
      });
    }
    await sleep(everyMs);
  }
  return out;
}

/**
 * Spans/s and CPU over [from, to] s, between the first and the last sample where the counter moved:
 * the full config pushes its own metrics every 5 s, so its counters step; a step seen within one
 * sampling interval of the push.
 */
function windowRate(samples: Sample[], from: number, to: number) {
  const moved = samples.filter((s, i) => i > 0 && s.accepted + s.refused !== samples[i - 1]!.accepted + samples[i - 1]!.refused && s.t >= from && s.t <= to);
  const a = moved[0];
  const b = moved.at(-1);
  if (!a || !b || b.t - a.t < (to - from) / 3) throw new Error(`B2: too few metric steps in ${from}-${to} s (${moved.length})`);
  const dt = b.t - a.t;
  const accepted = (b.accepted - a.accepted) / dt;
  const refused = (b.refused - a.refused) / dt;
  const cores = (b.cpu - a.cpu) / dt;
  return { accepted, refused, cores, perCpuSecond: accepted / cores };
}

const secondsOf = (wait: string) => Number(/^(\d+)s$/.exec(wait)![1]);

/**
 * Where the time goes (no pprof in this build): wall time per accepted span in each trace
 * processor that times itself (otelcol_processor_internal_duration_seconds, level detailed), µs.
 * The tail samplers and connectors do not report theirs.
 */
function processorTime(text: string): Record<string, number> {
  const spans = sumSeries(text, 'otelcol_receiver_accepted_spans', /receiver="otlp",/);
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^otelcol_processor_internal_duration_seconds_sum\{(.*)\} (\S+)/.exec(line);
    const name = m && /otel_signal="traces"/.test(m[1]!) ? /processor="([^"]+)"/.exec(m[1]!)?.[1] : undefined;
    if (name && spans > 0) out[name] = (out[name] ?? 0) + (1e6 * Number(m![2])) / spans;
  }
  return out;
}

/** One run at saturation, from a fresh start: a warm-up (past decision_wait: the tail samplers are deciding), then the window. */
async function saturate(ws: Workspace, run: Run, round: string, measureS: number) {
  const side: Side = run === 'plain' ? 'plain' : 'full';
  const wait = run === 'fast' ? FAST_WAIT : DECISION_WAIT;
  const warmupS = side === 'plain' ? 8 : secondsOf(wait) + 3;
  const col = await start(ws, side, `${round}-${run}`, wait);
  try {
    const gens = load(ws, side, warmupS + measureS, { detail: null, skeleton: 500, errors: 200 });
    const exited = Promise.all(gens.map((g) => new Promise((ok) => g.once('exit', ok))));
    const samples = await sampleUntil(col, exited, 500);
    return { ...windowRate(samples, warmupS, warmupS + measureS), processors: processorTime(samples.at(-1)!.text) };
  } finally {
    await col.stop();
  }
}

/** Both sides side by side at `spansPerS` for `seconds`: RSS every second. */
async function flood(ws: Workspace, seconds: number, spansPerS: number) {
  const cols = { plain: await start(ws, 'plain', '-flood'), full: await start(ws, 'full', '-flood') };
  const rss = { plain: [] as number[], full: [] as number[] };
  const before = { plain: await cols.plain.metrics(), full: await cols.full.metrics() };
  let gens: ChildProcess[] = [];
  try {
    const rates = { detail: spansPerS * 0.9, skeleton: spansPerS * 0.07, errors: spansPerS * 0.03 };
    gens = [...load(ws, 'plain', seconds, rates), ...load(ws, 'full', seconds, rates)];
    for (const end = Date.now() + seconds * 1000; Date.now() < end; await sleep(1000)) {
      rss.plain.push(cols.plain.rssMiB());
      rss.full.push(cols.full.rssMiB());
    }
    await Promise.all(gens.map((g) => stopProcess(g)));
    await sleep(6000); // one more push of the full side's own metrics
    const accepted = async (s: Side) =>
      (sumSeries(await cols[s].metrics(), 'otelcol_receiver_accepted_spans', /receiver="otlp",/) - sumSeries(before[s], 'otelcol_receiver_accepted_spans', /receiver="otlp",/)) / seconds;
    return { rss, accepted: { plain: await accepted('plain'), full: await accepted('full') } };
  } finally {
    await Promise.all(gens.map((g) => stopProcess(g)));
    await cols.plain.stop();
    await cols.full.stop();
  }
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * B2: the collector's full pipeline (collector/config.yaml as the stack runs it) against the same
 * binary doing plain OTLP → OTLP, side by side in one run: spans/s at saturation in interleaved
 * rounds, then memory during a 10× flood. Target: full ≥ 50 % of plain.
 */
export async function b2(opts: { rounds: number; measureS: number; floodS: number; floodSpansPerS: number }): Promise<BenchResult> {
  await assertPortsFree();
  const dir = mkdtempSync(join(tmpdir(), 'orderscope-b2-'));
  let sink: Collector | undefined;
  try {
    const ws = await workspace(dir);
    sink = await startCollector(ws, 'sink', { config: sinkConfig(ws), health: PORTS.sink.health, metrics: httpMetrics(PORTS.sink.metrics), cpus: LOAD_CPU });
    const runs: Record<Run, Array<Awaited<ReturnType<typeof saturate>>>> = { plain: [], full: [], fast: [] };
    for (let r = 0; r < opts.rounds; r++) {
      // The order turns round every round: drift in the machine's load falls on every run.
      const order: Run[] = ['plain', 'full', 'fast'];
      for (const run of r % 2 ? order.reverse() : order) {
        console.error(`bench: B2 round ${r + 1}/${opts.rounds}, ${run} ...`);
        runs[run].push(await saturate(ws, run, `-${r + 1}`, opts.measureS));
      }
    }
    console.error(`bench: B2 flood, ${opts.floodSpansPerS} spans/s into each for ${opts.floodS} s ...`);
    const fl = await flood(ws, opts.floodS, opts.floodSpansPerS);

    const ratio = (run: Run, f: (x: ReturnType<typeof windowRate>) => number) => runs[run].map((x, i) => (100 * f(x)) / f(runs.plain[i]!));
    const perCpu = ratio('full', (x) => x.perCpuSecond);
    const col = (run: Run, f: (x: ReturnType<typeof windowRate>) => number, digits = 0) => spread(runs[run].map(f), digits);
    const rate = (run: Run) => `${col(run, (x) => x.accepted)} (${col(run, (x) => 100 * x.cores)})`;
    const steady = (v: number[]) => median(v.slice(Math.floor((v.length * 2) / 3)));
    return {
      id: 'B2',
      title: "The collector's full pipeline against plain OTLP → OTLP",
      target: 'full pipeline ≥ 50 % of plain, spans/s at saturation',
      met: median(perCpu) >= 50,
      rows: [
        ['spans/s (its core busy, %): plain', rate('plain')],
        [`  full (decision_wait ${DECISION_WAIT}, as shipped)`, rate('full')],
        [`  full, decision_wait ${FAST_WAIT}`, rate('fast')],
        ['spans per CPU-second (= spans/s on a saturated core): plain', col('plain', (x) => x.perCpuSecond)],
        [`  full (decision_wait ${DECISION_WAIT})`, col('full', (x) => x.perCpuSecond)],
        [`  full, decision_wait ${FAST_WAIT}`, col('fast', (x) => x.perCpuSecond)],
        [`full / plain at saturation (per CPU-second, same round, %)`, spread(perCpu, 1)],
        [`  full with decision_wait ${FAST_WAIT} / plain`, spread(ratio('fast', (x) => x.perCpuSecond), 1)],
        ['full / plain, spans/s as measured (same round, %)', spread(ratio('full', (x) => x.accepted), 1)],
        [
          `full (${DECISION_WAIT}): wall time per span in its timed processors (µs, median of the rounds)`,
          Object.keys(runs.full[0]?.processors ?? {})
            .map((k) => [k, median(runs.full.map((x) => x.processors[k] ?? 0))] as const)
            .sort((a, b) => b[1] - a[1])
            .filter(([, us]) => us >= 0.5)
            .map(([k, us]) => `${k} ${us.toFixed(1)}`)
            .join(', '),
        ],
        ['machine load average (1 min) at the end', loadavg()[0]!.toFixed(1)],
        [`refused by the full side at saturation (spans/s): ${DECISION_WAIT} / ${FAST_WAIT}`, `${col('full', (x) => x.refused)} / ${col('fast', (x) => x.refused)}`],
        [`10× flood (${opts.floodSpansPerS} spans/s): spans/s accepted, plain / full`, `${fl.accepted.plain.toFixed(0)} / ${fl.accepted.full.toFixed(0)}`],
        ['10× flood: RSS peak, plain / full (MiB)', `${Math.max(...fl.rss.plain).toFixed(0)} / ${Math.max(...fl.rss.full).toFixed(0)}`],
        ['10× flood: RSS steady (median of the last third), plain / full (MiB)', `${steady(fl.rss.plain).toFixed(0)} / ${steady(fl.rss.full).toFixed(0)}`],
      ],
      notes:
        `Three instances of the stack's collector binary on loopback ports of their own, with a CA and secrets of their own: plain (OTLP gRPC in with mTLS and an API key, batch, OTLP gRPC out with mTLS and the Jaeger login), full (collector/config.yaml itself, its ports, exporters and storage moved by environment variables) and a sink for both (OTLP in, a silent debug exporter; it stands in for Jaeger and the log store). ` +
        `Load: telemetrygen v0.161.0 over OTLP gRPC with mTLS and a service's API key — traces of 50 spans with our attributes (order_id, order.status, http.*), skeleton traces (order.skeleton=true, 10 spans) and failed traces (status ERROR). ` +
        `Saturation: ${opts.rounds} interleaved rounds of three runs (plain; full as shipped, decision_wait ${DECISION_WAIT}; full with decision_wait ${FAST_WAIT}, the e2e tests' value), each from a fresh start, pinned to core 1 (the generators and the sink on core 0), generators as fast as they go, measured over the last ${opts.measureS} s (after a warm-up of decision_wait + 3 s, 8 s for plain: the tail samplers are deciding) from the collector's own receiver counters and its CPU time. ` +
        "On two cores the generators (on core 0, which the running stack shares too) do not keep a collector's core busy (the busy % above; plain's least), so the target is judged on spans per CPU-second of the collector — what one saturated core takes; the ratio of spans/s as measured is an upper bound of it. " +
        'Where the time goes: the processors that time themselves are listed above, summed over the pipelines they are in, per span received. The masking (redaction/secrets, transform/pii) runs after the tail samplers, on the spans they keep; the span-metrics and service-graph connectors read a masked view of every span (transform/metrics_view: only the keys they use); the tail samplers (spans held for decision_wait: memory and GC, see the two decision_waits), span metrics and service graph do not time themselves. This build has no pprof; docs/performance.md says how its CPU profile was taken. Wall time includes waits for the busy core: compare the processors with each other, not with the CPU figures. ' +
        (process.env.B2_FULL_CONFIG ? `The full side ran ${process.env.B2_FULL_CONFIG} (B2_FULL_CONFIG), not collector/config.yaml. ` : '') +
        `Flood: ten times the demo's rate (0.5 orders/s × ~170 spans ≈ 85 spans/s), both sides at once for ${opts.floodS} s, the same mix (90 % detail, 7 % skeleton, 3 % failed), VmRSS every second.`,
    };
  } finally {
    await sink?.stop();
    if (process.env.B2_KEEP) console.error(`bench: B2 kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
