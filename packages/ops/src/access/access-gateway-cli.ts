#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname } from 'node:path';
import pino from 'pino';
import pinoRoll from 'pino-roll';
import { assertNodeVersion } from '@orderscope/platform/node-version';
import { otlpLogStream } from '@orderscope/platform/telemetry/otlp-log-stream';
import { startAccessGateway } from './access-gateway.js';
import { accessGatewayConfig } from './access-gateway-config.js';

assertNodeVersion('orderscope-access-gateway');

/**
 * `orderscope-access-gateway`: one process for every component behind the login (ACCESS_COMPONENTS:
 * each its own socket, upstream and access log; docs/access-control.md), and, run apart, the log
 * store's mTLS door (ACCESS_SERVER_CERT_FILE set: docs/logging.md).
 */
const servers: Server[] = [];
const flushers: Array<() => Promise<void>> = [];
try {
  const config = accessGatewayConfig(process.env);
  // Its own messages, each naming its component (a child adding to a base would write the key twice).
  const logger = pino({ level: config.logLevel, base: null });
  for (const c of config.components) {
    mkdirSync(dirname(c.logFile), { recursive: true });
    const toStore = config.otlp
      ? otlpLogStream({
          endpoint: config.otlp.endpoint,
          token: config.otlp.token,
          tls: config.tls,
          serviceName: 'access-gateway',
          attributes: { 'orderscope.component': c.name },
        })
      : null;
    // pino-roll's stream in this thread, not as a pino.transport: a transport is a worker thread
    // (a V8 isolate, ~20 MiB) per component, for a few records a minute.
    const file = await pinoRoll({ file: c.logFile, size: config.log.maxSize, limit: { count: config.log.keep }, mkdir: true });
    const records = pino(
      // Every line starts with what it is (pino's level field would say only "info").
      { base: null, timestamp: false, formatters: { level: () => ({ record: 'access' }) } },
      toStore ? pino.multistream([{ stream: file }, { stream: toStore }]) : file,
    );
    flushers.push(async () => {
      try {
        file.flushSync(); // what is still buffered reaches the file before the process exits
      } catch {
        // not open yet: nothing was written
      }
      await toStore?.close();
    });
    const componentLogger = logger.child({ component: `access-gateway/${c.name}` });
    servers.push(
      await startAccessGateway({
        component: c.name,
        listen: c.listen,
        upstream: c.upstream,
        tls: config.tls,
        ...(config.serverTls ? { serverTls: config.serverTls } : {}),
        ...(config.upstreamAuthorization ? { upstreamAuthorization: config.upstreamAuthorization } : {}),
        records,
        logger: componentLogger,
      }),
    );
    componentLogger.info({ listen: c.listen, upstream: c.upstream, log: c.logFile }, 'access gateway listening');
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      void Promise.all(closed)
        .then(() => Promise.allSettled(flushers.map((f) => f())))
        .finally(() => process.exit(0));
    });
  }
} catch (err) {
  // One component that cannot start stops them all: the process is healthy whole or not at all.
  console.error(`access gateway failed: ${(err as Error).message}`);
  for (const s of servers) s.close();
  process.exit(1);
}
