import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { pssMiB, stackProcesses } from '../support/processes.js';
import { root } from '../support/stack.js';
import type { BenchResult } from './result.js';

/** The sum of compose's memory limits over the services that keep running (one-shots apart). */
function composeLimitsMiB(): { total: number; unlimited: string[] } {
  const doc = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8'), { merge: true, maxAliasCount: -1 }) as {
    services: Record<string, { deploy?: { resources?: { limits?: { memory?: string } } }; restart?: string; profiles?: string[] }>;
  };
  const units: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024 };
  let total = 0;
  const unlimited: string[] = [];
  for (const [name, s] of Object.entries(doc.services)) {
    if (s.restart === 'no') continue; // one-shots: done before the stack serves
    const limit = s.deploy?.resources?.limits?.memory;
    const m = limit ? /^(\d+(?:\.\d+)?)([kmg])$/i.exec(limit) : null;
    if (m) total += Number(m[1]) * units[m[2]!.toLowerCase()]!;
    else unlimited.push(name);
  }
  return { total, unlimited };
}

/**
 * B4: the whole native stack's memory at the demo's load (the compose simulator's 0.5 orders/s),
 * every process, sampled every 5 s for `seconds`; and the sum of compose's memory limits.
 * Targets: ≤ 1.5 GB natively, ≤ 2 GB of limits.
 */
export async function b4(opts: { seconds: number }): Promise<BenchResult> {
  const sim = spawn('bash', [resolve(root, 'scripts/with-local-env.sh'), process.execPath, resolve(root, 'services/simulator/dist/src/main.js'), 'run', '--rate', '0.5'], {
    cwd: root,
    stdio: 'ignore',
  });
  const peak = new Map<string, number>();
  let peakTotal = 0;
  try {
    await sleep(15_000); // past start-up: orders in every status
    for (const end = Date.now() + opts.seconds * 1000; Date.now() < end; await sleep(5000)) {
      let total = 0;
      for (const p of stackProcesses()) {
        const mib = p.pids.reduce((a, pid) => a + pssMiB(pid), 0);
        peak.set(p.name, Math.max(peak.get(p.name) ?? 0, mib));
        total += mib;
      }
      peakTotal = Math.max(peakTotal, total);
    }
  } finally {
    sim.kill('SIGTERM');
  }
  const limits = composeLimitsMiB();
  const biggest = [...peak].sort((a, b) => b[1] - a[1]);
  return {
    id: 'B4',
    title: "The stack's memory",
    target: '≤ 1.5 GB natively (every process) and ≤ 2 GB of compose limits',
    met: peakTotal <= 1536 && limits.total <= 2048,
    rows: [
      ['native stack, every process (peak of the sum, PSS)', `${peakTotal.toFixed(0)} MiB`],
      ...biggest.map(([name, mib]) => [`  ${name}`, `${mib.toFixed(0)} MiB`] as const),
      ['compose: sum of memory limits', `${limits.total.toFixed(0)} MiB${limits.unlimited.length ? ` (no limit: ${limits.unlimited.join(', ')})` : ''}`],
    ],
    notes:
      `The simulator at the demo's 0.5 orders/s for ${opts.seconds} s (after 15 s of warm-up); every process local:up started and ` +
      'PostgreSQL with its backends, as proportional set size (shared pages divided among the processes that share them), sampled every 5 s.',
  };
}
