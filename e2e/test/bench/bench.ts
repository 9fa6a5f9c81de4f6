/**
 * `npm run bench [-- B3 B4]` on the running native stack: each benchmark measured in one run,
 * printed with its target, and written to docs/benchmarks.md with the machine, the date and the
 * command (docs/benchmarks.md says how each is measured).
 */
import { cpus, totalmem } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { b1 } from './b1-tracing-cost.js';
import { b3 } from './b3-searchable.js';
import { b4 } from './b4-memory.js';
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

const BENCHES: Record<string, () => Promise<BenchResult>> = {
  B1: () => b1({ rounds: 4, workers: 16, seconds: 30 }),
  B3: () => b3({ orders: 5, decisionWaitS: decisionWaitS() }),
  B4: () => b4({ seconds: 60 }),
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
