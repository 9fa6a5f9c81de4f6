#!/usr/bin/env node
// Watches a `docker compose up` until the stack settles, printing every container's state
// transitions as they happen (created → running → healthy, or → exited 0 for a one-shot):
//   node scripts/compose-wait.mjs --deadline 300 SERVICE...
// Settled: each one-shot (restart: "no") exited 0, each service with a healthcheck healthy, the
// rest running. Fails (exit 1) on a one-shot exiting non-zero, a service exiting, restarting or
// turning unhealthy, or the deadline.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const args = process.argv.slice(2);
let deadlineS = 300;
if (args[0] === '--deadline') deadlineS = Number(args.splice(0, 2)[1]);
const services = args;
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const compose = (...a) => execFileSync('docker', ['compose', ...a], { encoding: 'utf8', maxBuffer: 16 << 20 });

const config = JSON.parse(compose('config', '--format', 'json')).services;
const oneShot = (s) => config[s].restart === 'no';
const hasHealthcheck = (s) => config[s].healthcheck !== undefined && !config[s].healthcheck.disable;

function states() {
  // Compose 2.26 prints one JSON object per line; newer ones may print an array.
  const out = compose('ps', '--all', '--format', 'json').trim();
  const rows = out.startsWith('[') ? JSON.parse(out) : out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return new Map(rows.map((r) => [r.Service, r]));
}

const describe = (r) => (r === undefined ? 'absent' : r.State === 'exited' ? `exited ${r.ExitCode}` : r.Health ? `${r.State} (${r.Health})` : r.State);
const last = new Map();
for (;;) {
  const now = states();
  const problems = [];
  let settled = true;
  for (const s of services) {
    const r = now.get(s);
    const d = describe(r);
    if (last.get(s) !== d && !(d === 'absent' && !last.has(s))) {
      console.log(`${elapsed()}  ${s.padEnd(18)} ${last.has(s) ? `${last.get(s)} → ` : ''}${d}`);
      last.set(s, d);
    }
    if (r === undefined) settled = false;
    else if (oneShot(s)) {
      if (r.State === 'exited' && r.ExitCode !== 0) problems.push(`${s} exited ${r.ExitCode}`);
      else if (r.State !== 'exited') settled = false;
    } else if (r.State === 'exited' || r.State === 'restarting' || r.State === 'dead') problems.push(`${s} is ${d}`);
    else if (r.Health === 'unhealthy') problems.push(`${s} is unhealthy`);
    else if (hasHealthcheck(s) ? r.Health !== 'healthy' : r.State !== 'running') settled = false;
  }
  if (problems.length) {
    console.error(`compose-wait: ${problems.join('; ')}`);
    process.exit(1);
  }
  if (settled) {
    console.log(`${elapsed()}  settled: ${services.filter(oneShot).length} one-shots done, ${services.filter((s) => !oneShot(s)).length} services up`);
    process.exit(0);
  }
  if (Date.now() - t0 > deadlineS * 1000) {
    console.error(`compose-wait: not settled within ${deadlineS} s: ${services.map((s) => `${s} ${last.get(s)}`).join(', ')}`);
    process.exit(1);
  }
  await sleep(500);
}
