import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { checkConsistency, type ConsistencyReport } from '@orderscope/ops';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '@orderscope/orders';
import { detailSpans, findOrderTraces } from './jaeger.js';
import { scrape, sumSeries } from './secure.js';
import { E2E_DECISION_WAIT, root, secret, SIMULATOR_ARGS } from './stack.js';

/**
 * The fault suite's tools (e2e/test/faults, `npm run test:faults`): a simulated run in the
 * background, what the services answered and how big they grew meanwhile, and the consistency
 * check of what was stored.
 */
const run = promisify(execFile);

export interface SimOrder {
  order_id: string | null;
  channel: 'b2c' | 'b2b';
  status: string;
  stuck: boolean;
  error?: string;
  stalled_ms?: number;
  history_ok?: boolean;
}
export interface SimReport {
  summary: { total: number; closed: number; stuck: number; errors: number; retries: number };
  orders: SimOrder[];
}

/** `npm run simulate` (healthy: the only faults are the test's), started now, its report later. */
export function simulatedRun(orders: number, opts: { concurrency?: number; rate?: number; deadlineS?: number } = {}): Promise<SimReport> {
  // Customers at once (closed loop), or a new order every 1/rate s (open loop).
  const pace = opts.rate === undefined ? ['--concurrency', String(opts.concurrency ?? 4)] : ['--rate', String(opts.rate)];
  const args = [
    ...SIMULATOR_ARGS,
    '--orders', String(orders), ...pace, '--deadline-s', String(opts.deadlineS ?? 300),
    '--scenario', 'healthy', '--quiet',
  ];
  return run('bash', args, { cwd: root, maxBuffer: 64 << 20, timeout: ((opts.deadlineS ?? 300) + 120) * 1000 }).then(({ stdout }) =>
    JSON.parse(stdout.trim().split('\n').at(-1)!) as SimReport,
  );
}

/** What a fault case does to the stack around its simulated run (duringOutage). */
export interface Outage {
  /** The run: this many orders, this many customers at once. */
  readonly orders: number;
  readonly concurrency: number;
  /** When the fault comes: this long into the run (orders in flight), or before the run starts. */
  readonly injectAfterMs: number | 'before-run';
  /** Breaks the stack: stops a component, kills a service, restarts PostgreSQL… */
  inject(): Promise<void>;
  /** What else the case does while it is broken (right after inject). */
  whileDown?(): Promise<void>;
  /** How long it stays broken at least, from the end of inject (default 0). */
  readonly holdMs?: number;
  /** Broken until the run has ended too: every order made during the outage. */
  readonly untilRunEnds?: boolean;
  /** Repairs it (starts what was stopped), even when a step before failed; none for a fault that heals itself. */
  heal?(): Promise<void>;
}

/** When each step of an outage happened (Date.now()). */
export interface OutageTimes {
  readonly runStarted: number;
  readonly injected: number;
  readonly healed: number;
  readonly runEnded: number;
}

export interface OutageResult {
  readonly report: SimReport;
  /** The ids of the orders the run made (an order whose creation failed has none). */
  readonly orderIds: string[];
  /** Each service's largest resident memory over the outage, in MiB (sampleServicesMemory). */
  readonly peak: Record<ServiceName, number>;
  readonly times: OutageTimes;
}

/**
 * The shape every fault case shares: a simulated run, the fault injected once orders are in
 * flight (or before), held, healed, and the run's report once both the run and the heal are done.
 */
export async function duringOutage(o: Outage): Promise<OutageResult> {
  const memory = sampleServicesMemory();
  let peak: Record<ServiceName, number> | undefined;
  // The sampler stopped however it ends: a timer left running would keep the test process alive.
  const { report, times } = await throughOutage(o).finally(() => void (peak = memory.stop()));
  const orderIds = report.orders.map((order) => order.order_id).filter((id): id is string => id !== null);
  return { report, orderIds, peak: peak!, times };
}

async function throughOutage(o: Outage): Promise<{ report: SimReport; times: OutageTimes }> {
  const times = { runStarted: 0, injected: 0, healed: 0, runEnded: 0 };
  let running: Promise<SimReport> | undefined;
  const startRun = () => {
    times.runStarted = Date.now();
    running = simulatedRun(o.orders, { concurrency: o.concurrency }).finally(() => void (times.runEnded = Date.now()));
  };
  const inject = async () => {
    await o.inject();
    times.injected = Date.now();
  };
  let report: SimReport | undefined;
  try {
    if (o.injectAfterMs === 'before-run') {
      await inject();
      startRun();
    } else {
      startRun();
      await sleep(o.injectAfterMs);
      await inject();
    }
    await o.whileDown?.();
    if (o.untilRunEnds) report = await running!;
    const left = times.injected + (o.holdMs ?? 0) - Date.now();
    if (left > 0) await sleep(left);
  } finally {
    await o.heal?.();
    times.healed = Date.now();
  }
  report ??= await running!;
  return { report, times };
}

export const pidOf = (name: string) => Number(readFileSync(resolve(root, `.local/run/${name}.pid`), 'utf8'));

/** Resident memory of a process, in MiB (0 when it is gone). */
export function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The services' largest resident memory while it runs (sampled every second), in MiB. */
export function sampleServicesMemory(): { stop(): Record<ServiceName, number> } {
  const max = Object.fromEntries(SERVICE_NAMES.map((s) => [s, 0])) as Record<ServiceName, number>;
  const sample = () => {
    for (const s of SERVICE_NAMES) {
      try {
        max[s] = Math.max(max[s], rssMiB(pidOf(s)));
      } catch {
        // between a kill and its restart: no pid file to read
      }
    }
  };
  sample();
  const timer = setInterval(sample, 1000);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}

/**
 * The bound the fault cases hold each service's resident memory to: its compose limit (x-app,
 * 256 MiB). Both stacks run the services with V8's old space capped at half of it (x-app-env's
 * NODE_OPTIONS), so the heap is collected well before a container would be killed.
 */
export const SERVICE_MEMORY_BOUND_MIB = 256;

/** Requests the services answered with a 5xx since `since` (their request records on stdout). */
export function serverErrors(since: number, services: readonly ServiceName[] = SERVICE_NAMES): Array<{ service: string; path: string; status: number }> {
  const out: Array<{ service: string; path: string; status: number }> = [];
  for (const s of services) {
    for (const line of readFileSync(resolve(root, `.local/logs/${s}.log`), 'utf8').split('\n')) {
      if (!line.startsWith('{') || !line.includes('"res":')) continue;
      const r = JSON.parse(line) as { time?: string; req?: { method: string; path: string }; res?: { status: number } };
      if (r.res && r.res.status >= 500 && r.time && Date.parse(r.time) >= since) out.push({ service: s, path: `${r.req?.method} ${r.req?.path}`, status: r.res.status });
    }
  }
  return out;
}

/** The consistency check (packages/ops) over these orders, as the database admin. */
export async function consistencyOf(orderIds: readonly string[]): Promise<ConsistencyReport> {
  const db = new pg.Client({ host: '127.0.0.1', port: 5432, database: 'orderscope', user: 'postgres', password: secret('postgres_password') });
  await db.connect();
  try {
    return await checkConsistency(db, { orderIds, settleMs: 3000 });
  } finally {
    await db.end();
  }
}

/** Orders the registry holds that were made since `since` (a count, for "none duplicated"). */
export async function registryOrdersSince(since: number): Promise<string[]> {
  const db = new pg.Client({ host: '127.0.0.1', port: 5432, database: 'orderscope', user: 'postgres', password: secret('postgres_password') });
  await db.connect();
  try {
    return (await db.query<{ order_id: string }>('SELECT order_id FROM crm.orders WHERE created_at >= $1', [new Date(since)])).rows.map((r) => r.order_id);
  } finally {
    await db.end();
  }
}

/** PostgreSQL restarted as an operator would: fast shutdown (every connection cut), same options. */
export async function restartPostgres(): Promise<void> {
  const pgBin = (await run('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'])).stdout.trim();
  const cmd = [`${pgBin}/pg_ctl`, '-D', resolve(root, '.local/pg/data'), '-m', 'fast', '-w', '-t', '60', 'restart', '-l', resolve(root, '.local/pg/postgres.log')];
  await (process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', ...cmd]) : run(cmd[0]!, cmd.slice(1)));
}

/** The collector's settings in the e2e runs (every healthy order kept, a short decision wait). */
export const COLLECTOR_ENV = { OTELCOL_BASELINE_PERCENT: '100', OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT };

/** How long each outage lasts: the 60 s, shorter only when FAULT_OUTAGE_S says so. */
export const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_S ?? 60) * 1000;

/** A count off every service's /metrics (as Prometheus scrapes it), summed: e.g. lost spans. */
export async function servicesCount(metric: string, labels?: RegExp): Promise<number> {
  let sum = 0;
  for (const s of SERVICE_NAMES) sum += sumSeries(await scrape(`https://127.0.0.1:${SERVICES[s].metricsPort}/metrics`), metric, labels);
  return sum;
}

/** Is the order's trace in Jaeger with its detail (found by order_id under any service)? */
export async function detailInJaeger(orderId: string): Promise<boolean> {
  for (const service of SERVICE_NAMES) {
    for (const found of await findOrderTraces(service, orderId)) if (detailSpans(found).length > 0) return true;
  }
  return false;
}

/** SIGKILL, as the kernel's OOM killer or a crash would end it; resolves once it is gone. */
export async function kill9(name: ServiceName): Promise<number> {
  const pid = pidOf(name);
  process.kill(pid, 'SIGKILL');
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    try {
      process.kill(pid, 0);
    } catch {
      return pid;
    }
  }
  throw new Error(`${name} (pid ${pid}) still alive 10 s after SIGKILL`);
}
