import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { composeMemoryLimitsMiB } from '../support/compose-limits.js';
import { groupPssMiB, stackProcesses } from '../support/processes.js';
import { root, SIMULATOR_ARGS } from '../support/stack.js';
import type { BenchResult } from './result.js';

/** The sum of compose's memory limits over the services that keep running. */
function composeLimitsMiB(): { total: number; unlimited: string[] } {
  const limits = [...composeMemoryLimitsMiB()];
  return {
    total: limits.reduce((sum, [, mib]) => sum + (mib ?? 0), 0),
    unlimited: limits.filter(([, mib]) => mib === undefined).map(([name]) => name),
  };
}

/** The simulator at `rate` orders/s, started for one phase and stopped (SIGTERM) after it. */
function simulator(rate: number) {
  return spawn('bash', [...SIMULATOR_ARGS, 'run', '--rate', String(rate)], { cwd: root, stdio: 'ignore' });
}

interface PhaseMemory {
  /** Each process's peak over the phase (MiB PSS). */
  readonly peak: Map<string, number>;
  /** The peak of the sum over the phase. */
  readonly peakTotal: number;
  /** Each process at the phase's last sample. */
  readonly last: Map<string, number>;
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** Every process's PSS sampled every 5 s for `seconds`, after `warmupS` at the same load. */
async function phase(rate: number, warmupS: number, seconds: number): Promise<PhaseMemory> {
  const sim = simulator(rate);
  const peak = new Map<string, number>();
  let peakTotal = 0;
  let last = new Map<string, number>();
  try {
    await sleep(warmupS * 1000);
    for (const end = Date.now() + seconds * 1000; Date.now() < end; await sleep(5000)) {
      last = new Map(stackProcesses().map((p) => [p.name, groupPssMiB(p)]));
      for (const [name, mib] of last) peak.set(name, Math.max(peak.get(name) ?? 0, mib));
      peakTotal = Math.max(peakTotal, sum(last));
    }
  } finally {
    sim.kill('SIGTERM');
    await new Promise((done) => (sim.exitCode === null ? sim.once('exit', done) : done(undefined)));
  }
  return { peak, peakTotal, last };
}

const DEMO_RATE = 0.5; // the compose simulator's rate
const BURST_RATE = 10 * DEMO_RATE;
const NATIVE_TARGET_MIB = 1536; // 1.5 GB
const COMPOSE_TARGET_MIB = 2048; // 2 GB

/**
 * B4: the whole native stack's memory at the demo's load (every process), then during a burst at
 * ten times that load and at the demo's load again after it (does the memory come back?); and the
 * sum of compose's memory limits. Targets: ≤ 1.5 GB natively at the demo's load, ≤ 2 GB of limits.
 * Run first in `npm run bench`: the other benchmarks flood the stack, and what a flood leaves is
 * what the burst phase shows.
 */
export async function b4(opts: { seconds: number }): Promise<BenchResult> {
  const demo = await phase(DEMO_RATE, 15, opts.seconds);
  const burst = await phase(BURST_RATE, 15, opts.seconds);
  const after = await phase(DEMO_RATE, 15, opts.seconds);
  const limits = composeLimitsMiB();
  const mib = (v: number | undefined) => (v ?? 0).toFixed(0);
  const verdict = (v: number, bound: number) => `${v.toFixed(0)} MiB (target ≤ ${bound}: ${v <= bound ? 'met' : 'missed'})`;
  const byDemo = [...demo.peak].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  return {
    id: 'B4',
    title: "The stack's memory",
    target: '≤ 1.5 GB natively (every process) at the demo\'s load and ≤ 2 GB of compose limits',
    met: demo.peakTotal <= NATIVE_TARGET_MIB && limits.total <= COMPOSE_TARGET_MIB,
    rows: [
      [`native stack at the demo's load, ${DEMO_RATE} orders/s (peak of the sum, PSS)`, verdict(demo.peakTotal, NATIVE_TARGET_MIB)],
      [`during a burst at ${BURST_RATE} orders/s (peak of the sum)`, `${mib(burst.peakTotal)} MiB`],
      [`at the demo's load again, ${15 + opts.seconds} s after the burst (the sum at the end)`, `${mib(sum(after.last))} MiB`],
      ['each process: demo peak / burst peak / after the burst', ''],
      ...byDemo.map((name) => [`  ${name}`, `${mib(demo.peak.get(name))} / ${mib(burst.peak.get(name))} / ${mib(after.last.get(name))} MiB`] as const),
      ['compose: sum of memory limits', `${verdict(limits.total, COMPOSE_TARGET_MIB)}${limits.unlimited.length ? ` (no limit: ${limits.unlimited.join(', ')})` : ''}`],
    ],
    notes:
      `Three phases of the simulator, each ${opts.seconds} s after 15 s of warm-up at its rate: the demo's ${DEMO_RATE} orders/s, a burst at ` +
      `${BURST_RATE}, the demo's rate again. Every process local:up started and PostgreSQL with its backends, as proportional set size ` +
      '(shared pages divided among the processes that share them), sampled every 5 s. The target is the first phase\'s; what the stack ' +
      'ran before (the other benchmarks, tests) shows in it: Jaeger\'s Badger caches and the services\' heaps keep part of what a flood grew.',
  };
}
