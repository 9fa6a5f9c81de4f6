import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import multer from 'multer';
import { pinoHttp } from 'pino-http';
import { loadServiceConfig, type ServiceConfig } from '../config/service-config.js';
import { Database } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { AppError, BadRequestError, NotFoundError, PayloadTooLargeError } from '../errors.js';
import { FaultInjector } from '../faults/faults.js';
import { createLogger, type Logger } from '../log/logger.js';
import { httpMetricsMiddleware } from '../metrics/http-metrics.js';
import { createServiceMetrics, type ServiceMetrics } from '../metrics/registry.js';
import { startMetricsServer, type MetricsServer } from '../metrics/server.js';
import { RegistryClient } from '../registry/registry-client.js';
import { SERVICE_NAMES, type ServiceName } from '../services.js';
import { pseudonymize } from '../telemetry/pseudonymize.js';
import { publicRequestSpan, requestLogFields, type RequestOrderResolver } from '../telemetry/server-span.js';
import { telemetryStats } from '../telemetry/stats.js';
import { recordError } from '../telemetry/tracing.js';
import { RETRIES_EXHAUSTED_HEADER, ServiceClient } from './client.js';

/** Everything a service's routes need, built once from its configuration. */
export interface ServiceRuntime {
  readonly config: ServiceConfig;
  readonly logger: Logger;
  readonly db: Database;
  readonly faults: FaultInjector;
  /** Clients to the other services' internal APIs (bearer token, timeouts, retries). */
  readonly clients: Readonly<Record<ServiceName, ServiceClient>>;
  /** The CRM's order registry, where every transition is recorded. */
  readonly registry: RegistryClient;
  /** The keyed pseudonym of a customer id, for spans (never the id itself). */
  pseudonymize(userId: string): string;
  /** The service's Prometheus registry (served on /metrics); routes register their own metrics in it. */
  readonly metrics: ServiceMetrics;
}

export function createRuntime(config: ServiceConfig, logger = createLogger(config.service, config.logLevel)): ServiceRuntime {
  const faults = new FaultInjector(config.faults);
  const clients = Object.fromEntries(
    SERVICE_NAMES.map((target) => [
      target,
      new ServiceClient({ target, baseUrl: config.urls[target], token: config.internalApiToken, ...config.http }),
    ]),
  ) as Record<ServiceName, ServiceClient>;
  return {
    config,
    logger,
    db: new Database(config, faults, (err) => logger.warn({ err }, 'database: an idle connection was closed by the server')),
    faults,
    clients,
    registry: new RegistryClient(config.service, clients.crm),
    pseudonymize: (userId) => pseudonymize(userId, config.userIdHmacKey),
    metrics: createServiceMetrics(),
  };
}

const errorHandler =
  (logger: Logger): ErrorRequestHandler =>
  (err, req, res, _next) => {
    let error: AppError;
    if (err instanceof AppError) error = err;
    else if (err instanceof multer.MulterError) {
      error =
        err.code === 'LIMIT_FILE_SIZE'
          ? new PayloadTooLargeError('the uploaded file exceeds the size limit')
          : new BadRequestError(`upload rejected: ${err.message}`);
    } else if (err?.type === 'entity.too.large') error = new PayloadTooLargeError('request body too large');
    else if (err?.type === 'entity.parse.failed') error = new BadRequestError('request body is not valid JSON');
    else error = new AppError(500, 'internal', 'internal error');
    if (error.status >= 500) {
      // The cause goes to the log (no request body is ever logged) and the trace, not to the caller.
      logger.error({ err, method: req.method, path: req.path, code: error.code }, 'request failed');
      recordError(err);
    }
    if (res.headersSent) return;
    // 502/504 mean "my dependency failed after my retries": tell callers not to retry on top.
    if (error.status === 502 || error.status === 504) res.setHeader(RETRIES_EXHAUSTED_HEADER, '1');
    res.status(error.status).json(error);
  };

/**
 * An Express app with what every service has: request metrics, JSON parsing with a size limit,
 * request logs without bodies, health endpoints, fault injection and its admin endpoint, JSON errors.
 */
export function createApp(runtime: ServiceRuntime, routes: Router, resolveOrder?: RequestOrderResolver): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // First, so that the duration covers everything the app does with the request.
  app.use(httpMetricsMiddleware(runtime.metrics));
  app.use(
    pinoHttp({
      logger: runtime.logger,
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
      customProps: (_req, res) => requestLogFields(res as unknown as { locals?: Record<string, unknown> }),
    }),
  );
  app.use(express.json({ limit: '64kb' }));
  app.use(publicRequestSpan(resolveOrder ?? (async () => null), () => telemetryStats.enabled));

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service: runtime.config.service });
  });
  app.get('/health/ready', async (_req, res) => {
    try {
      await runtime.db.ping();
      res.json({ status: 'ok', service: runtime.config.service });
    } catch {
      res.status(503).json({ error: 'not_ready', message: 'database unreachable' });
    }
  });
  // Spans this process exported and lost (e.g. while the collector was unreachable).
  app.get('/health/telemetry', (_req, res) => {
    res.json(telemetryStats);
  });
  app.use('/admin/faults', runtime.faults.adminRouter(runtime.config.adminToken));

  app.use(runtime.faults.middleware());
  app.use(routes);
  app.use((req, _res, next) => next(new NotFoundError(`no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(runtime.logger));
  return app;
}

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
      metricsServer = await startMetricsServer({ ...config.metrics, registry: runtime.metrics.registry, logger: runtime.logger });
      runtime.logger.info({ port: metricsServer.port }, 'metrics listening (https, client certificate required)');
    }
    server = await new Promise<Server>((resolve, reject) => {
      // Express 5 calls back with the error when listening fails (EADDRINUSE, ...).
      const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
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
    main: () => runMain(() => startService(definition, loadServiceConfig(name))),
  };
}

/** True when the module is the process's entry point. */
export function isEntryPoint(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}
