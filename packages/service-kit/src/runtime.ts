import { createLogger, Database, FaultInjector, pseudonymize, ServiceClient, createServiceMetrics, type Logger, type ServiceMetrics } from '@orderscope/platform';
import { ATTR, RegistryClient, SERVICE_NAMES, type ServiceName } from '@orderscope/orders';
import type { ServiceConfig } from './service-config.js';

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

export function createRuntime(
  config: ServiceConfig,
  logger = createLogger(config.service, config.logLevel, { baggageFields: [ATTR.orderId] }),
): ServiceRuntime {
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

