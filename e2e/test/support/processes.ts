import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { root } from './stack.js';

/** Proportional set size (shared pages split between their users), MiB: sums without double counting. */
export function pssMiB(pid: number): number {
  try {
    const kb = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Open sockets of a process: its file descriptors that point at a socket. */
export function socketCount(pid: number): number {
  try {
    let n = 0;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n += 1;
      } catch {
        // closed meanwhile
      }
    }
    return n;
  } catch {
    return 0;
  }
}

/** Every process's parent, from /proc. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      out.set(Number(d), Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** A process and all its descendants (Keycloak's script and its JVM, PostgreSQL and its backends). */
function withDescendants(top: number, parentOf: Map<number, number>): number[] {
  const all = [top];
  for (let i = 0; i < all.length; i++) for (const [pid, ppid] of parentOf) if (ppid === all[i]) all.push(pid);
  return all;
}

export interface StackProcess {
  readonly name: string;
  /** The process local:up started and its descendants, as they are now. */
  readonly pids: readonly number[];
}

/** Every process of the native stack: local:up's pid files and PostgreSQL, each with its descendants. */
export function stackProcesses(): StackProcess[] {
  const parentOf = parents();
  const out = readdirSync(resolve(root, '.local/run'))
    .filter((f) => f.endsWith('.pid'))
    .map((f) => ({ name: f.slice(0, -4), pids: withDescendants(Number(readFileSync(resolve(root, '.local/run', f), 'utf8')), parentOf) }));
  const postmaster = Number(readFileSync(resolve(root, '.local/pg/data/postmaster.pid'), 'utf8').split('\n')[0]);
  out.push({ name: 'postgresql', pids: withDescendants(postmaster, parentOf) });
  return out;
}

/** A process group's memory (PSS, MiB), summed over its processes. */
export const groupPssMiB = (p: StackProcess): number => p.pids.reduce((a, pid) => a + pssMiB(pid), 0);

/** A process group's memory (PSS, MiB) and open sockets, summed over its processes. */
export function footprint(p: StackProcess): { mib: number; sockets: number } {
  return { mib: groupPssMiB(p), sockets: p.pids.reduce((a, pid) => a + socketCount(pid), 0) };
}
