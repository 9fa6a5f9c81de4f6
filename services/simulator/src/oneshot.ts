import { setTimeout as sleep } from 'node:timers/promises';
import type { Env } from '@orderscope/platform';
import { createClients } from './clients.js';
import { loadSimulatorConfig } from './config.js';
import { UsageError } from './errors.js';
import { FaultController, type FaultEvent } from './faults.js';
import { checkNumber, checkScenario } from './options.js';
import { seededRng } from './random.js';
import { startOperatorShift } from './operator.js';
import { waitUntilReady } from './ready.js';
import { mapLimit, reportOrder } from './report.js';
import { getScenario, type ScenarioName } from './scenarios.js';
import { OrderRun, Simulation } from './simulation.js';
import { assignChannels, summarize, type OrderReport, type Summary } from './summary.js';
import { scaledMs } from './timing.js';

export interface OneShotOptions {
  readonly orders: number;
  /** Default: SIM_SCENARIO, else healthy. */
  readonly scenario?: ScenarioName;
  /** Customers placing orders at once (default 5); placed orders then move through the factory in parallel. */
  readonly concurrency?: number;
  /**
   * Orders started per second, one every 1/rate s however many are in flight (open loop: a load
   * test's steady arrivals; a slow system does not slow the arrivals down). Excludes `concurrency`.
   */
  readonly rate?: number;
  /** Real time per wall time (default SIM_TIME_SCALE, else 600: one real minute = 100 ms). */
  readonly timeScale?: number;
  /** Seconds from the start after which every order not CLOSED is reported stuck (default 120). */
  readonly deadlineS?: number;
  /** Share of B2B orders (default SIM_B2B_SHARE, else 0.5); both channels occur when orders ≥ 2. */
  readonly b2bShare?: number;
  /** Seed of the simulator's randomness (models, think times, materials); fault draws stay random. */
  readonly seed?: number;
  /** How often operators poll the MES queue, wall ms (default 250). */
  readonly pollMs?: number;
  /** How long to wait for the services' /health/ready (default 5000 ms). */
  readonly readyTimeoutMs?: number;
  /** Progress lines (the CLI sends them to stderr); none when absent. */
  readonly progress?: (line: string) => void;
  readonly progressIntervalMs?: number;
  /** Notable events (fault windows, failing polls, orders given up). */
  readonly log?: (line: string) => void;
  /** Aborting ends the run early, like the deadline (the report says interrupted). */
  readonly signal?: AbortSignal;
}

export interface SimulationReport {
  readonly scenario: ScenarioName;
  readonly time_scale: number;
  readonly deadline_s: number;
  readonly started_at: string;
  /** True when the run was stopped (SIGINT/SIGTERM, or the caller's signal) before its end. */
  readonly interrupted: boolean;
  readonly orders: OrderReport[];
  readonly summary: Summary;
  readonly fault_events: FaultEvent[];
}

function progressLine(runs: readonly OrderRun[], startedAt: number): string {
  const finished = runs.filter((r) => r.finished);
  const closed = finished.filter((r) => r.status === 'CLOSED').length;
  const inFlight: Record<string, number> = {};
  for (const r of runs) {
    if (r.finished) continue;
    const key = r.startedAt === undefined ? 'waiting' : (r.status ?? 'creating');
    inFlight[key] = (inFlight[key] ?? 0) + 1;
  }
  const flight = Object.entries(inFlight)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const retries = runs.reduce((n, r) => n + r.retries, 0);
  const elapsed = ((performance.now() - startedAt) / 1000).toFixed(1);
  return `simulator: ${elapsed}s ${finished.length}/${runs.length} done (closed ${closed}, failed ${finished.length - closed})${
    flight ? ` · in flight: ${flight}` : ''
  } · retries ${retries}`;
}

/** Starts runs[i] at i/rate s after the call (by the clock, so a late tick does not shift the rest). */
async function arrivals(runs: readonly OrderRun[], rate: number, signal: AbortSignal, start: (run: OrderRun) => void): Promise<void> {
  const t0 = performance.now();
  for (const [i, run] of runs.entries()) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return;
    start(run);
  }
}

/**
 * One-shot mode: drives `orders` orders (B2C and B2B) to the end, or until the deadline, and
 * reports every order and a summary. Throws ConfigError (environment), UsageError (options) or
 * SetupError (services not ready, faults not applicable) before anything is started.
 */
export async function runOneShot(options: OneShotOptions, env: Env = process.env): Promise<SimulationReport> {
  const config = loadSimulatorConfig(env);
  const orders = checkNumber('orders', options.orders);
  const scenarioName = checkScenario(options.scenario ?? config.scenario);
  if (options.concurrency !== undefined && options.rate !== undefined) throw new UsageError('concurrency and rate exclude each other');
  const concurrency = checkNumber('concurrency', options.concurrency ?? 5);
  const rate = options.rate === undefined ? undefined : checkNumber('rate', options.rate);
  const timeScale = checkNumber('timeScale', options.timeScale ?? config.timeScale);
  const deadlineS = checkNumber('deadlineS', options.deadlineS ?? 120);
  const b2bShare = checkNumber('b2bShare', options.b2bShare ?? config.b2bShare);
  const seed = options.seed === undefined ? undefined : checkNumber('seed', options.seed);
  const log = options.log ?? (() => {});

  const unauthenticated = createClients(config);
  await waitUntilReady(unauthenticated, options.readyTimeoutMs ?? 5000, log, options.signal);
  const scenario = getScenario(scenarioName);
  const faults = new FaultController(unauthenticated.admin, scenario, log);
  const shift = await startOperatorShift(unauthenticated, 'simulator (one-shot run)', log);
  const { clients } = shift;
  const stop = new AbortController();
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    stop.abort();
  };
  let deadline: NodeJS.Timeout | undefined;
  let progress: NodeJS.Timeout | undefined;
  try {
    await faults.apply();
    const startedAt = performance.now();
    const startedIso = new Date().toISOString();
    deadline = setTimeout(() => stop.abort(), deadlineS * 1000);
    if (options.signal?.aborted) onInterrupt();
    options.signal?.addEventListener('abort', onInterrupt, { once: true });
    faults.startWindows(false);

    const runs = assignChannels(orders, b2bShare).map((channel, i) => new OrderRun(i, channel));
    const sim = new Simulation(clients, {
      timeScale,
      operators: 'own',
      pollMs: options.pollMs ?? 250,
      rng: seed === undefined ? Math.random : seededRng(seed),
      signal: stop.signal,
      customerAttempts: 8,
      staffAttempts: 40,
      log,
    });
    const b2b = runs.filter((r) => r.channel === 'b2b').length;
    log(
      `simulator: scenario ${scenarioName}, ${orders} orders (${orders - b2b} b2c, ${b2b} b2b), time scale ${timeScale} ` +
        `(one real minute = ${scaledMs(1, timeScale)} ms), deadline ${deadlineS} s`,
    );
    if (options.progress) {
      const emit = options.progress;
      progress = setInterval(() => emit(progressLine(runs, startedAt)), options.progressIntervalMs ?? 2000);
    }

    // Customers and operators stop at their next pause once `stop` aborts; calls in flight are not waited for.
    void sim.runOperators();
    if (rate === undefined) {
      let next = 0;
      const customer = async () => {
        for (let run = runs[next++]; run && !stop.signal.aborted; run = runs[next++]) await sim.placeOrder(run);
      };
      void Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, customer));
    } else {
      void arrivals(runs, rate, stop.signal, (run) => void sim.placeOrder(run));
    }
    const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([Promise.all(runs.map((r) => r.done)), stopped]);
    const endedAt = performance.now();
    stop.abort();
    clearTimeout(deadline);
    clearInterval(progress);
    await faults.reset();

    const reports = await mapLimit(runs, 8, (run) => reportOrder(run, endedAt, clients.registry));
    const summary = summarize(reports, endedAt - startedAt);
    log(
      `simulator: ${summary.closed}/${summary.total} closed, ${summary.stuck} stuck, ${summary.errors} errors, ` +
        `${summary.retries} retries, p50 ${summary.p50_total_ms ?? '-'} ms, p95 ${summary.p95_total_ms ?? '-'} ms`,
    );
    return {
      scenario: scenarioName,
      time_scale: timeScale,
      deadline_s: deadlineS,
      started_at: startedIso,
      interrupted,
      orders: reports,
      summary,
      fault_events: faults.events,
    };
  } finally {
    clearTimeout(deadline);
    clearInterval(progress);
    options.signal?.removeEventListener('abort', onInterrupt);
    stop.abort();
    await faults.reset();
    await shift.end();
  }
}
