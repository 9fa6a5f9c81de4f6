import { callMetrics, createLogger, dbMetrics, createServiceMetrics, telemetryMetrics, Database, FaultInjector, pseudonymize, ServiceClient, type Logger, type ServiceMetrics } from '@orderscope/platform';
import { ATTR, SERVICE_NAMES, type ServiceName } from '@orderscope/orders';
import type { ServiceConfig } from './service-config.js';

/** Everything a service's routes need, built once from its configuration. */
export interface ServiceRuntime {
  readonly config: ServiceConfig;
  readonly logger: Logger;
  readonly db: Database;
  readonly faults: FaultInjector;
  /**
   * The transport to another service's internal API (its URL, the internal token, timeouts,
   * retries): a service wraps it in the typed client of each neighbour it calls
   * (`@orderscope/orders` contracts).
   */
  serviceClient(target: ServiceName): ServiceClient;
  /** The keyed pseudonym of a customer id, for spans (never the id itself). */
  pseudonymize(userId: string): string;
  /** The service's Prometheus registry (served on /metrics); routes register their own metrics in it. */
  readonly metrics: ServiceMetrics;
}

export function createRuntime(
  config: ServiceConfig,
  logger = createLogger(config.service, config.logLevel, { baggageFields: [ATTR.orderId] }),
): ServiceRuntime {
  const faults = new FaultInjector(config.faults);
  const clients = new Map<ServiceName, ServiceClient>();
  const metrics = createServiceMetrics();
  const onCall = callMetrics(metrics.registry, SERVICE_NAMES.filter((s) => s !== config.service));
  const db = new Database(config, faults, (err) => logger.warn({ err }, 'database: an idle connection was closed by the server'));
  db.observe = dbMetrics(metrics.registry, db.pool, config.db.poolMax);
  telemetryMetrics(metrics.registry);
  return {
    config,
    logger,
    db,
    faults,
    serviceClient(target) {
      let client = clients.get(target);
      if (!client) {
        client = new ServiceClient({ target, baseUrl: config.urls[target], token: config.internalApiToken, onCall, ...config.http });
        clients.set(target, client);
      }
      return client;
    },
    pseudonymize: (userId) => pseudonymize(userId, config.userIdHmacKey),
    metrics,
  };
}
