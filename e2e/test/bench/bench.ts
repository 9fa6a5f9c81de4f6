/**
 * `npm run bench [-- B2 B3 B4]` on the running native stack (B2 runs collectors of its own beside it): each benchmark measured in one run,
 * printed with its target, and written to docs/benchmarks.md with the machine, the date and the
 * command (docs/benchmarks.md says how each is measured).
 */
import { cpus, totalmem } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BenchResult } from './result.js';
import { root } from '../support/stack.js';

/** The running collector's decision_wait (its environment, else the config's default). */
function decisionWaitS(): number {
  const pid = Number(readFileSync(resolve(root, '.local/run/otelcol.pid'), 'utf8'));
  const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const value = env.find((e) => e.startsWith('OTELCOL_DECISION_WAIT='))?.split('=')[1] ?? '20s';
  const m = /^(\d+)s$/.exec(value);
  if (!m) throw new Error(`OTELCOL_DECISION_WAIT=${value}: seconds expected`);
  return Number(m[1]);
}

// Each benchmark's module is loaded only when it runs: the stack's clients read its certificates
// as they load, and B2 needs no stack.
// B4 first: it measures the stack at the demo's load before the others flood it.
const BENCHES: Record<string, () => Promise<BenchResult>> = {
  B4: async () => (await import('./b4-memory.js')).b4({ seconds: 60 }),
  B1: async () => (await import('./b1-tracing-cost.js')).b1({ rounds: 4, workers: 16, seconds: 30 }),
  // About 5 minutes: 3 rounds of 23 + 38 + 23 s at saturation, a 45 s flood.
  B2: async () => (await import('./b2-collector-pipeline.js')).b2({ rounds: 3, measureS: 15, floodS: 45, floodSpansPerS: 850 }),
  B3: async () => (await import('./b3-searchable.js')).b3({ orders: 5, decisionWaitS: decisionWaitS() }),
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(BENCHES);
const unknown = wanted.filter((w) => !BENCHES[w]);
if (unknown.length) {
  console.error(`bench: unknown ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}

const results: BenchResult[] = [];
for (const id of wanted) {
  console.error(`bench: ${id} ...`);
  const r = await BENCHES[id]!();
  results.push(r);
  console.log(`${r.id} ${r.title} — target ${r.target}: ${r.met ? 'met' : 'MISSED'}`);
  for (const [label, value] of r.rows) console.log(`  ${label}: ${value}`);
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
const measured = `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}`;
const section = (r: BenchResult) =>
  [`## ${r.id}: ${r.title}`, '', `${measured}, \`npm run bench -- ${r.id}\`.`, '', `Target: ${r.target} — **${r.met ? 'met' : 'missed'}**.`, '',
    '| | |', '|---|---|', ...r.rows.map(([l, v]) => `| ${l.trim()} | ${v} |`), '', r.notes, ''].join('\n');

// The benchmarks not run this time keep their last section: a partial run rewrites only its own.
const path = resolve(root, 'docs/benchmarks.md');
const sections = new Map<string, string>();
try {
  for (const part of readFileSync(path, 'utf8').split(/^(?=## B\d+:)/m).slice(1)) sections.set(/^## (B\d+):/.exec(part)![1]!, part.trimEnd() + '\n');
} catch {
  // no earlier file
}
for (const r of results) sections.set(r.id, section(r));
const doc = [
  '# Benchmarks',
  '',
  'Measured on the native stack (`npm run local:up`) by `npm run bench [-- B1 B2 …]` (e2e/test/bench/bench.ts), which writes',
  'each section it runs and keeps the others. The figures are each run\'s, on a noisy shared machine: read the spread, not',
  'the last digit. What the figures led to: docs/performance.md.',
  '',
  ...[...sections.keys()].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))).map((k) => sections.get(k)!),
].join('\n');
writeFileSync(path, doc);
console.error('bench: wrote docs/benchmarks.md');
