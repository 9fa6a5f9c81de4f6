import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, type Env, type Logger } from '@orderscope/platform';
import { createClients } from './clients.js';
import { loadSimulatorConfig } from './config.js';
import { FaultController } from './faults.js';
import { checkNumber, checkScenario } from './options.js';
import { exponential, seededRng } from './random.js';
import { startOperatorShift } from './operator.js';
import { waitUntilReady } from './ready.js';
import { reportOrder } from './report.js';
import { getScenario, type ScenarioName } from './scenarios.js';
import { OrderRun, Simulation } from './simulation.js';

export interface ContinuousOptions {
  /** Orders started per second, on average (Poisson arrivals). Default SIM_RATE, else 0.5. */
  readonly rate?: number;
  readonly scenario?: ScenarioName;
  readonly timeScale?: number;
  readonly b2bShare?: number;
  /** Seconds after its start an order that is not CLOSED is logged as stuck (default 300). */
  readonly deadlineS?: number;
  /** Orders in flight at most; arrivals beyond are skipped (default 500). */
  readonly maxInFlight?: number;
  readonly seed?: number;
  readonly pollMs?: number;
  /** How long to wait for the services at start (default 120 s: compose may still be starting them). */
  readonly readyTimeoutMs?: number;
  readonly progressIntervalMs?: number;
  /** JSON-lines logger (default: pino on stdout at LOG_LEVEL). */
  readonly logger?: Logger;
  /** Aborting stops the run gracefully: no new orders, faults reset, final totals logged. */
  readonly signal: AbortSignal;
}

export interface ContinuousTotals {
  started: number;
  closed: number;
  stuck: number;
  failed: number;
  skipped: number;
  retries: number;
}

/**
 * Continuous mode (the compose demo): starts orders at `rate` per second until `signal` aborts.
 * Operators work the whole MES queue (also what an earlier simulator left half done). Every
 * finished order is logged as one JSON line, progress every `progressIntervalMs`.
 */
export async function runContinuous(options: ContinuousOptions, env: Env = process.env): Promise<ContinuousTotals> {
  const config = loadSimulatorConfig(env);
  const rate = checkNumber('rate', options.rate ?? config.rate);
  const scenarioName = checkScenario(options.scenario ?? config.scenario);
  const timeScale = checkNumber('timeScale', options.timeScale ?? config.timeScale);
  const b2bShare = checkNumber('b2bShare', options.b2bShare ?? config.b2bShare);
  const deadlineS = checkNumber('deadlineS', options.deadlineS ?? 300);
  const seed = options.seed === undefined ? undefined : checkNumber('seed', options.seed);
  const maxInFlight = options.maxInFlight ?? 500;
  const logger = options.logger ?? createLogger('simulator', config.logLevel);
  const log = (line: string) => logger.info(line);
  const rng = seed === undefined ? Math.random : seededRng(seed);

  const unauthenticated = createClients(config);
  await waitUntilReady(unauthenticated, options.readyTimeoutMs ?? 120_000, log, options.signal);
  const faults = new FaultController(unauthenticated.admin, getScenario(scenarioName), log);
  // The operators' key for as long as this simulator runs (revoked when it stops).
  const shift = await startOperatorShift(unauthenticated, 'simulator (continuous)', log);
  const { clients } = shift;
  const stop = new AbortController();
  const onStop = () => stop.abort();
  if (options.signal.aborted) stop.abort();
  options.signal.addEventListener('abort', onStop, { once: true });
  const totals: ContinuousTotals = { started: 0, closed: 0, stuck: 0, failed: 0, skipped: 0, retries: 0 };
  const inFlight = new Set<OrderRun>();
  const startedAt = performance.now();
  let progress: NodeJS.Timeout | undefined;

  try {
    await faults.apply();
    faults.startWindows(true);
    logger.info({ scenario: scenarioName, rate, time_scale: timeScale, b2b_share: b2bShare, deadline_s: deadlineS }, 'simulator started');
    const sim = new Simulation(clients, {
      timeScale,
      operators: 'all',
      pollMs: options.pollMs ?? 500,
      rng,
      signal: stop.signal,
      customerAttempts: 8,
      staffAttempts: 40,
      log,
    });
    const operators = sim.runOperators();

    progress = setInterval(() => {
      const byStatus: Record<string, number> = {};
      for (const r of inFlight) byStatus[r.status ?? 'creating'] = (byStatus[r.status ?? 'creating'] ?? 0) + 1;
      logger.info(
        { ...totals, in_flight: inFlight.size, by_status: byStatus, uptime_s: Math.round((performance.now() - startedAt) / 1000) },
        'progress',
      );
    }, options.progressIntervalMs ?? 10_000);

    const follow = async (run: OrderRun) => {
      inFlight.add(run);
      try {
        await sim.placeOrder(run);
        const left = deadlineS * 1000 - (performance.now() - (run.startedAt ?? 0));
        const timer = new AbortController();
        await Promise.race([run.done, sleep(Math.max(0, left), undefined, { signal: AbortSignal.any([stop.signal, timer.signal]) })])
          .catch(() => {})
          .finally(() => timer.abort());
        if (stop.signal.aborted && !run.finished) return; // shutting down: not stuck, just not followed
        const report = await reportOrder(run, performance.now(), run.status === 'CLOSED' ? undefined : clients.registry);
        totals.retries += report.retries;
        if (report.status === 'CLOSED') totals.closed += 1;
        else if (report.error) totals.failed += 1;
        else totals.stuck += 1;
        const level = report.status === 'CLOSED' ? 'info' : 'warn';
        logger[level]({ order: report }, report.status === 'CLOSED' ? 'order closed' : report.error ? 'order failed' : 'order stuck');
      } finally {
        inFlight.delete(run);
        if (run.orderId) sim.runs.delete(run.orderId);
      }
    };

    let skippedWarned = false;
    while (!stop.signal.aborted) {
      try {
        await sleep(exponential(rng, 1000 / rate), undefined, { signal: stop.signal });
      } catch {
        break;
      }
      if (inFlight.size >= maxInFlight) {
        totals.skipped += 1;
        if (!skippedWarned) logger.warn({ max_in_flight: maxInFlight }, 'too many orders in flight: skipping arrivals');
        skippedWarned = true;
        continue;
      }
      skippedWarned = false;
      totals.started += 1;
      void follow(new OrderRun(totals.started, rng() < b2bShare ? 'b2b' : 'b2c'));
    }
    await operators;
    return totals;
  } finally {
    clearInterval(progress);
    options.signal.removeEventListener('abort', onStop);
    stop.abort();
    await faults.reset();
    await shift.end();
    const unfinished = totals.started - totals.closed - totals.stuck - totals.failed;
    logger.info({ ...totals, unfinished }, 'simulator stopped');
  }
}
