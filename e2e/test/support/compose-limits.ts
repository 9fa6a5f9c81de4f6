import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { root } from './stack.js';

const UNITS: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024 };

/**
 * Compose's memory limit of each service that keeps running (one-shots, `restart: no`, apart), in
 * MiB; undefined where it sets none. docker-compose.yml is where the limits are written.
 */
export function composeMemoryLimitsMiB(): Map<string, number | undefined> {
  const doc = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8'), { merge: true, maxAliasCount: -1 }) as {
    services: Record<string, { deploy?: { resources?: { limits?: { memory?: string } } }; restart?: string }>;
  };
  const limits = new Map<string, number | undefined>();
  for (const [name, s] of Object.entries(doc.services)) {
    if (s.restart === 'no') continue; // done before the stack serves
    const m = /^(\d+(?:\.\d+)?)([kmg])$/i.exec(s.deploy?.resources?.limits?.memory ?? '');
    limits.set(name, m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : undefined);
  }
  return limits;
}
