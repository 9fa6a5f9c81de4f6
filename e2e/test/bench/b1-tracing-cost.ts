import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SERVICE_NAMES } from '@orderscope/orders';
import { manufactureAndDeliver, newB2cOrder, submit } from '../support/orders.js';
import { localUp, restartCollectorAsShipped, root, stopNative } from '../support/stack.js';
import { spread, type BenchResult } from './result.js';

/** Restarts the four services (nothing else), with or without their OpenTelemetry SDK. */
async function restartServices(traced: boolean): Promise<void> {
  for (const s of SERVICE_NAMES) await stopNative(s);
  await localUp({ OTEL_SDK_DISABLED: traced ? 'false' : 'true' });
}

/** CPU time so far (s) of the processes an order costs: the services, the pipeline, the database. */
function cpuSeconds(): Record<string, number> {
  const ticks = (pid: number) => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (100/s)
    } catch {
      return 0;
    }
  };
  const pid = (name: string) => Number(readFileSync(resolve(root, `.local/run/${name}.pid`), 'utf8'));
  const out: Record<string, number> = { services: 0, collector: ticks(pid('otelcol')), jaeger: ticks(pid('jaeger')), postgres: 0 };
  for (const s of SERVICE_NAMES) out.services! += ticks(pid(s));
  // PostgreSQL's backends are children of its postmaster (the first line of postmaster.pid).
  const postmaster = Number(readFileSync(resolve(root, '.local/pg/data/postmaster.pid'), 'utf8').split('\n')[0]);
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(p) === postmaster || Number(stat[1]) === postmaster) out.postgres! += ticks(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The collector's tail-sampling settings as it runs (its environment; else the config's defaults). */
function collectorSettings(): string {
  const pid = Number(readFileSync(resolve(root, '.local/run/otelcol.pid'), 'utf8'));
  const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const get = (k: string, d: string) => env.find((e) => e.startsWith(`${k}=`))?.split('=')[1] ?? d;
  return `baseline ${get('OTELCOL_BASELINE_PERCENT', '10')} %, decision_wait ${get('OTELCOL_DECISION_WAIT', '20s')}`;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

/** `workers` customers each driving whole B2C orders (create, model, place, four MES steps, delivery) for `seconds`. */
async function orderFlow(workers: number, seconds: number): Promise<{ perSecond: number; p50: number; p99: number; cpuPerOrder: Record<string, number> }> {
  const ms: number[] = [];
  const cpu0 = cpuSeconds();
  const end = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (Date.now() < end) {
      const t0 = performance.now();
      const id = await newB2cOrder();
      const placed = await submit(id);
      if (placed.status !== 200) throw new Error(`B1: placing ${id}: ${placed.status} ${JSON.stringify(placed.body)}`);
      await manufactureAndDeliver(id);
      ms.push(performance.now() - t0);
    }
  }));
  const cpu1 = cpuSeconds();
  ms.sort((a, b) => a - b);
  const cpuPerOrder = Object.fromEntries(Object.keys(cpu1).map((k) => [k, ((cpu1[k]! - cpu0[k]!) * 1000) / Math.max(1, ms.length)]));
  return { perSecond: ms.length / seconds, p50: pct(ms, 50), p99: pct(ms, 99), cpuPerOrder };
}

/**
 * B1: what tracing costs the order flow. Rounds alternate: the services with their SDK (100 % of
 * spans, TLS to the collector, its tail sampling) and with OTEL_SDK_DISABLED=true, each after a
 * restart and a warm-up, the same load each time. Target: ≤ 5 % fewer orders/s.
 */
export async function b1(opts: { rounds: number; workers: number; seconds: number }): Promise<BenchResult> {
  type Figures = Awaited<ReturnType<typeof orderFlow>>;
  const figures = { traced: [] as Figures[], untraced: [] as Figures[] };
  // An earlier e2e test may have left the collector keeping every trace: measure it as shipped.
  await restartCollectorAsShipped();
  const collector = collectorSettings();
  const ratios: number[] = [];
  try {
    for (let round = 0; round < opts.rounds; round++) {
      // Which goes first alternates too, so neither always runs on a warmer machine.
      const order = round % 2 === 0 ? [true, false] : [false, true];
      const pair: Record<string, number> = {};
      for (const traced of order) {
        await restartServices(traced);
        await orderFlow(opts.workers, 5); // warm-up: JIT, pools, connections
        const f = await orderFlow(opts.workers, opts.seconds);
        figures[traced ? 'traced' : 'untraced'].push(f);
        pair[traced ? 'traced' : 'untraced'] = f.perSecond;
        console.error(`B1 round ${round + 1} ${traced ? 'traced' : 'untraced'}: ${f.perSecond.toFixed(2)} orders/s, p50 ${f.p50.toFixed(0)} ms, p99 ${f.p99.toFixed(0)} ms`);
      }
      ratios.push(1 - pair.traced! / pair.untraced!);
    }
  } finally {
    await restartServices(true);
  }
  const med = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
  return {
    id: 'B1',
    title: 'Order flow: full tracing against none',
    target: '≤ 5 % fewer orders/s with tracing',
    met: med <= 0.05,
    rows: [
      ['orders/s traced', spread(figures.traced.map((f) => f.perSecond), 2)],
      ['orders/s untraced (OTEL_SDK_DISABLED=true)', spread(figures.untraced.map((f) => f.perSecond), 2)],
      ['fewer orders/s with tracing, per round pair (%)', spread(ratios.map((r) => r * 100), 1)],
      ['order flow p50 traced / untraced (ms)', `${spread(figures.traced.map((f) => f.p50))} / ${spread(figures.untraced.map((f) => f.p50))}`],
      ['order flow p99 traced / untraced (ms)', `${spread(figures.traced.map((f) => f.p99))} / ${spread(figures.untraced.map((f) => f.p99))}`],
      // Where the difference goes: CPU per order, by process group (the machine's cores are shared by all).
      ...['services', 'collector', 'jaeger', 'postgres'].map((k) => [
        `CPU per order, ${k}, traced / untraced (ms)`,
        `${spread(figures.traced.map((f) => f.cpuPerOrder[k]!))} / ${spread(figures.untraced.map((f) => f.cpuPerOrder[k]!))}`,
      ] as const),
    ],
    notes:
      `${opts.workers} customers at once, each driving whole B2C orders through the public API (create, model, place — pricing, approval, ` +
      `hand-off —, the four MES steps, the carrier's delivery) for ${opts.seconds} s after a 5 s warm-up; ${opts.rounds} round pairs, ` +
      'traced and untraced alternating (and which goes first), the four services restarted before each. The whole stack stays up in both: ' +
      `only the services' SDK is switched. The collector as it ran: ${collector}. What the figures led to: docs/performance.md.`,
  };
}
