#!/usr/bin/env node
import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import pino from 'pino';
import { z } from 'zod';
import { assertNodeVersion } from '@orderscope/platform/node-version';
import { parseEnv } from '@orderscope/platform';
import { startAccessGateway } from './access-gateway.js';

assertNodeVersion('orderscope-access-gateway');

/** `orderscope-access-gateway`: one per component behind the login (docs/access-control.md). */
const schema = z.object({
  ACCESS_COMPONENT: z.string().regex(/^[a-z][a-z0-9-]*$/),
  ACCESS_LISTEN: z.string().min(1),
  ACCESS_UPSTREAM: z.url(),
  TLS_CA_FILE: z.string().min(1),
  TLS_CERT_FILE: z.string().min(1),
  TLS_KEY_FILE: z.string().min(1),
  /** The access log: JSON lines, rolled by size, the newest ACCESS_LOG_KEEP files kept. */
  ACCESS_LOG_FILE: z.string().min(1),
  ACCESS_LOG_MAX_SIZE: z.string().regex(/^\d+[kmg]$/).default('10m'),
  ACCESS_LOG_KEEP: z.coerce.number().int().min(1).max(1000).default(10),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

try {
  const env = parseEnv(schema, process.env);
  mkdirSync(dirname(env.ACCESS_LOG_FILE), { recursive: true });
  const records = pino(
    // Every line starts with what it is (pino's level field would say only "info").
    { base: null, timestamp: false, formatters: { level: () => ({ record: 'access' }) } },
    pino.transport({
      target: 'pino-roll',
      options: { file: env.ACCESS_LOG_FILE, size: env.ACCESS_LOG_MAX_SIZE, limit: { count: env.ACCESS_LOG_KEEP }, mkdir: true },
    }),
  );
  const logger = pino({ level: env.LOG_LEVEL, base: { component: `access-gateway/${env.ACCESS_COMPONENT}` } });
  const server = await startAccessGateway({
    component: env.ACCESS_COMPONENT,
    listen: env.ACCESS_LISTEN,
    upstream: env.ACCESS_UPSTREAM,
    tls: { ca: env.TLS_CA_FILE, cert: env.TLS_CERT_FILE, key: env.TLS_KEY_FILE },
    records,
    logger,
  });
  logger.info({ listen: env.ACCESS_LISTEN, upstream: env.ACCESS_UPSTREAM, log: env.ACCESS_LOG_FILE }, 'access gateway listening');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => server.close(() => records.flush(() => process.exit(0))));
  }
} catch (err) {
  console.error(`access gateway failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
