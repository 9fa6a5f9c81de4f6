#!/usr/bin/env node
import { parseArgs } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { assertNodeVersion } from '@orderscope/platform/node-version';
import { parseEnv } from '@orderscope/platform';
import { checkConsistency } from './consistency.js';

assertNodeVersion('orderscope-consistency');

/**
 * `orderscope-consistency [--since 15m|ISO] [--order ID ...] [--settle-ms 3000]`: does every
 * service's record of each order agree with the registry (docs/faults.md)? Prints the report as
 * JSON; exits 1 when something disagrees. Reads as the database admin (every schema).
 */
const schema = z.object({
  DB_HOST: z.string().min(1).default('127.0.0.1'),
  DB_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
  DB_NAME: z.string().min(1).default('orderscope'),
  DB_ADMIN_USER: z.string().min(1).default('postgres'),
  DB_ADMIN_PASSWORD: z.string().min(1),
});

/** "15m", "2h", "30s" ago, or an ISO time. */
function parseSince(text: string, now = Date.now()): Date {
  const ago = /^(\d+)([smhd])$/.exec(text);
  if (ago) return new Date(now - Number(ago[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[ago[2] as 's' | 'm' | 'h' | 'd']);
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new Error(`--since wants 30s, 15m, 2h, 1d or an ISO time, got "${text}"`);
  return at;
}

try {
  const { values } = parseArgs({
    options: { since: { type: 'string' }, order: { type: 'string', multiple: true }, 'settle-ms': { type: 'string' } },
    strict: true,
  });
  const env = parseEnv(schema, process.env);
  const settleMs = values['settle-ms'] === undefined ? 3000 : Number(values['settle-ms']);
  if (!(settleMs >= 0)) throw new Error(`--settle-ms wants a number of milliseconds ≥ 0, got "${values['settle-ms']}"`);
  const db = new pg.Client({ host: env.DB_HOST, port: env.DB_PORT, database: env.DB_NAME, user: env.DB_ADMIN_USER, password: env.DB_ADMIN_PASSWORD });
  await db.connect();
  try {
    const report = await checkConsistency(db, {
      ...(values.since ? { since: parseSince(values.since) } : {}),
      ...(values.order ? { orderIds: values.order } : {}),
      settleMs,
    });
    console.log(JSON.stringify(report));
    if (report.problems.length) process.exitCode = 1;
  } finally {
    await db.end();
  }
} catch (err) {
  console.error(`consistency check failed: ${(err as Error).message}`);
  process.exitCode = 2;
}
