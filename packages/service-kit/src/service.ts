import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:http';
import type { Router } from 'express';
import { assertNodeVersion, certificateMetrics, migrate, peerCertificateProbes, startMetricsServer, type MetricsServer } from '@orderscope/platform';
import type { RequestOrderResolver, ServiceName } from '@orderscope/orders';
import { createApp } from './app.js';
import { createRuntime, type ServiceRuntime } from './runtime.js';
import { loadServiceConfig, type ServiceConfig } from './service-config.js';

export interface RunningService {
  readonly runtime: ServiceRuntime;
  readonly url: string;
  readonly port: number;
  /** `https://host:port/metrics`, or null when METRICS_PORT=0. */
  readonly metricsUrl: string | null;
  close(): Promise<void>;
}

export interface ServiceDefinition {
  /** Folder of the service's `NNN_name.sql` migrations. */
  readonly migrationsDir: string;
  readonly routes: (runtime: ServiceRuntime) => Router;
  /** Finds the order (and its stored trace context) a request from outside is about. */
  readonly resolveOrder?: (runtime: ServiceRuntime) => RequestOrderResolver;
  /** Work the service does by itself while it runs; returns how to stop it. */
  readonly background?: (runtime: ServiceRuntime) => () => void;
}

/**
 * Migrates the service's schema, then listens: the API on PORT, Prometheus's /metrics (HTTPS,
 * client certificates) on METRICS_PORT unless it is 0. `close` drains the API's connections, stops
 * the metrics server, then closes the pool.
 */
export async function startService(definition: ServiceDefinition, config: ServiceConfig): Promise<RunningService> {
  const runtime = createRuntime(config);
  let metricsServer: MetricsServer | undefined;
  let server: Server | undefined;
  try {
    await migrate(runtime.db, { dir: definition.migrationsDir, schema: config.db.schema, logger: runtime.logger });
    const app = createApp(runtime, definition.routes(runtime), definition.resolveOrder?.(runtime));
    if (config.metrics) {
      // The stack's CA, this service's server certificate, and its client certificate towards the
      // collector (read by the SDK from the standard OTLP variable).
      certificateMetrics(runtime.metrics.registry, {
        ca: config.metrics.tls.ca,
        server: config.metrics.tls.cert,
        client: process.env.OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE,
      });
      const [clientCert, clientKey] = [process.env.OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE, process.env.OTEL_EXPORTER_OTLP_CLIENT_KEY];
      if (clientCert && clientKey) {
        peerCertificateProbes(runtime.metrics.registry, config.tlsProbeTargets, { ca: config.metrics.tls.ca, cert: clientCert, key: clientKey });
      }
      metricsServer = await startMetricsServer({ ...config.metrics, registry: runtime.metrics.registry, logger: runtime.logger });
      runtime.logger.info({ port: metricsServer.port }, 'metrics listening (https, client certificate required)');
    }
    const { headersTimeoutMs, requestTimeoutMs } = config.server;
    const s = createServer(
      {
        headersTimeout: headersTimeoutMs,
        requestTimeout: requestTimeoutMs,
        // Node looks for overdue requests this often (default 30 s, which would triple a short
        // headers timeout).
        connectionsCheckingInterval: Math.max(100, Math.min(5000, Math.floor(headersTimeoutMs / 4))),
      },
      app,
    );
    server = await new Promise<Server>((resolve, reject) => {
      s.once('error', reject);
      s.listen(config.port, config.host, () => {
        s.off('error', reject);
        resolve(s);
      });
    });
  } catch (err) {
    await metricsServer?.close();
    await runtime.db.close();
    throw err;
  }
  const api = server;
  const { port } = api.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  runtime.logger.info({ port }, 'listening');
  const stopBackground = definition.background?.(runtime);
  return {
    runtime,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    metricsUrl: metricsServer?.url ?? null,
    close: async () => {
      stopBackground?.();
      await new Promise<void>((resolve) => {
        api.close(() => resolve());
        api.closeIdleConnections();
      });
      await metricsServer?.close();
      await runtime.db.close();
    },
  };
}

/** Entry point of a service process: start, and shut down gracefully on SIGTERM/SIGINT. */
export async function runMain(start: () => Promise<RunningService>, graceMs = 10_000): Promise<void> {
  let running: RunningService;
  try {
    running = await start();
  } catch (err) {
    console.error(`failed to start: ${(err as Error).message}`);
    process.exit(1);
  }
  const stop = (signal: string) => {
    running.runtime.logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      running.runtime.logger.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, graceMs).unref();
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        running.runtime.logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

export interface DefinedService {
  readonly name: ServiceName;
  start(config: ServiceConfig): Promise<RunningService>;
  /** Runs the service as a process, configured from the environment. */
  main(): Promise<void>;
}

/**
 * A service from its name and routes; its migrations are the `migrations/` folder of its package
 * (`moduleUrl` is the defining module's import.meta.url, two levels below the package root).
 */
export function defineService(
  name: ServiceName,
  moduleUrl: string,
  parts: Omit<ServiceDefinition, 'migrationsDir'>,
): DefinedService {
  const definition: ServiceDefinition = { migrationsDir: fileURLToPath(new URL('../../migrations', moduleUrl)), ...parts };
  return {
    name,
    start: (config) => startService(definition, config),
    main: () => {
      assertNodeVersion(`orderscope ${name}`);
      return runMain(() => startService(definition, loadServiceConfig(name)));
    },
  };
}

export { isEntryPoint } from '@orderscope/platform';
