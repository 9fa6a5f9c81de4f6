#!/usr/bin/env node
import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import pino from 'pino';
import { z } from 'zod';
import { assertNodeVersion } from '@orderscope/platform/node-version';
import { envTypes, parseEnv } from '@orderscope/platform';
import { otlpLogStream } from '@orderscope/platform/telemetry/otlp-log-stream';
import { startAccessGateway } from './access-gateway.js';

assertNodeVersion('orderscope-access-gateway');

/**
 * `orderscope-access-gateway`: one per component behind the login (docs/access-control.md), and
 * the log store's mTLS door (ACCESS_SERVER_CERT_FILE set: docs/logging.md).
 */
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
  /** HTTPS wanting a client certificate of TLS_CA_FILE, with this server certificate (the log gateway). */
  ACCESS_SERVER_CERT_FILE: z.string().min(1).optional(),
  ACCESS_SERVER_KEY_FILE: z.string().min(1).optional(),
  /** Basic auth toward the upstream: VictoriaLogs' user, and its password (ACCESS_UPSTREAM_PASSWORD_FILE). */
  ACCESS_UPSTREAM_USER: z.string().min(1).optional(),
  ACCESS_UPSTREAM_PASSWORD: envTypes.secret().optional(),
  /** The records also go to the log store, over OTLP to the collector's internal port with this key. */
  ACCESS_OTLP_ENDPOINT: z.url().refine((u) => u.startsWith('https://'), 'must be https://').optional(),
  ACCESS_OTLP_TOKEN: envTypes.secret().optional(),
}).refine((e) => !e.ACCESS_SERVER_CERT_FILE === !e.ACCESS_SERVER_KEY_FILE, {
  message: 'set both ACCESS_SERVER_CERT_FILE and ACCESS_SERVER_KEY_FILE, or neither',
  path: ['ACCESS_SERVER_KEY_FILE'],
}).refine((e) => !e.ACCESS_UPSTREAM_USER === !e.ACCESS_UPSTREAM_PASSWORD, {
  message: 'set both ACCESS_UPSTREAM_USER and ACCESS_UPSTREAM_PASSWORD(_FILE), or neither',
  path: ['ACCESS_UPSTREAM_PASSWORD'],
}).refine((e) => !e.ACCESS_OTLP_ENDPOINT === !e.ACCESS_OTLP_TOKEN, {
  message: 'set both ACCESS_OTLP_ENDPOINT and ACCESS_OTLP_TOKEN(_FILE), or neither',
  path: ['ACCESS_OTLP_TOKEN'],
});

try {
  const env = parseEnv(schema, process.env);
  mkdirSync(dirname(env.ACCESS_LOG_FILE), { recursive: true });
  const tls = { ca: env.TLS_CA_FILE, cert: env.TLS_CERT_FILE, key: env.TLS_KEY_FILE };
  const toStore = env.ACCESS_OTLP_ENDPOINT && env.ACCESS_OTLP_TOKEN
    ? otlpLogStream({
        endpoint: env.ACCESS_OTLP_ENDPOINT,
        token: env.ACCESS_OTLP_TOKEN,
        tls,
        serviceName: 'access-gateway',
        attributes: { 'orderscope.component': env.ACCESS_COMPONENT },
      })
    : null;
  const file = pino.transport({
    target: 'pino-roll',
    options: { file: env.ACCESS_LOG_FILE, size: env.ACCESS_LOG_MAX_SIZE, limit: { count: env.ACCESS_LOG_KEEP }, mkdir: true },
  });
  const records = pino(
    // Every line starts with what it is (pino's level field would say only "info").
    { base: null, timestamp: false, formatters: { level: () => ({ record: 'access' }) } },
    toStore ? pino.multistream([{ stream: file }, { stream: toStore }]) : file,
  );
  const logger = pino({ level: env.LOG_LEVEL, base: { component: `access-gateway/${env.ACCESS_COMPONENT}` } });
  const server = await startAccessGateway({
    component: env.ACCESS_COMPONENT,
    listen: env.ACCESS_LISTEN,
    upstream: env.ACCESS_UPSTREAM,
    tls,
    ...(env.ACCESS_SERVER_CERT_FILE && env.ACCESS_SERVER_KEY_FILE
      ? { serverTls: { cert: env.ACCESS_SERVER_CERT_FILE, key: env.ACCESS_SERVER_KEY_FILE } }
      : {}),
    ...(env.ACCESS_UPSTREAM_USER && env.ACCESS_UPSTREAM_PASSWORD
      ? { upstreamAuthorization: `Basic ${Buffer.from(`${env.ACCESS_UPSTREAM_USER}:${env.ACCESS_UPSTREAM_PASSWORD}`).toString('base64')}` }
      : {}),
    records,
    logger,
  });
  logger.info({ listen: env.ACCESS_LISTEN, upstream: env.ACCESS_UPSTREAM, log: env.ACCESS_LOG_FILE }, 'access gateway listening');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () =>
      server.close(() => records.flush(() => void (toStore?.close() ?? Promise.resolve()).finally(() => process.exit(0)))),
    );
  }
} catch (err) {
  console.error(`access gateway failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
