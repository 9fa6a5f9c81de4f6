import { ServiceClient } from '@orderscope/platform';
import { SERVICE_NAMES, type ServiceName } from '@orderscope/orders';
import type { SimulatorConfig } from './config.js';

/** The HTTP clients of the people the simulator plays, and of its fault control. */
export interface SimulatorClients {
  /** B2C customers → the Internet Shop. A submit runs the whole shop → MES API → CRM → MES chain. */
  readonly shop: ServiceClient;
  /** B2B clients → the MES API's public API. */
  readonly mesApi: ServiceClient;
  /** MES operators → the MES. */
  readonly mes: ServiceClient;
  /** The carrier → the CRM (internal token). */
  readonly carrier: ServiceClient;
  /** The registry, read at the end of a run (internal token, short budget). */
  readonly registry: ServiceClient;
  /** /health/ready of every service. */
  readonly health: Readonly<Record<ServiceName, ServiceClient>>;
  /** /admin/faults of every service; null without an admin token. */
  readonly admin: Readonly<Record<ServiceName, ServiceClient>> | null;
}

/**
 * Time budgets: a customer's call may run the whole synchronous chain, whose every hop has its
 * own timeout and retries (2 s × 4 attempts per hop by default), so it gets a generous budget and
 * few client retries; the customer's own re-tries (with pauses) sit on top.
 */
export function createClients(config: SimulatorConfig): SimulatorClients {
  const { urls, internalApiToken, adminToken } = config;
  const perService = (make: (s: ServiceName) => ServiceClient) =>
    Object.fromEntries(SERVICE_NAMES.map((s) => [s, make(s)])) as Record<ServiceName, ServiceClient>;
  return {
    shop: new ServiceClient({ target: 'shop', baseUrl: urls.shop, timeoutMs: 30_000, retries: 2, backoffMs: 250 }),
    mesApi: new ServiceClient({ target: 'mes-api', baseUrl: urls['mes-api'], timeoutMs: 30_000, retries: 2, backoffMs: 250 }),
    mes: new ServiceClient({ target: 'mes', baseUrl: urls.mes, timeoutMs: 15_000, retries: 2, backoffMs: 200 }),
    carrier: new ServiceClient({
      target: 'crm',
      baseUrl: urls.crm,
      timeoutMs: 10_000,
      retries: 2,
      backoffMs: 200,
      token: internalApiToken,
    }),
    registry: new ServiceClient({
      target: 'crm',
      baseUrl: urls.crm,
      timeoutMs: 5_000,
      retries: 1,
      backoffMs: 200,
      token: internalApiToken,
    }),
    health: perService((s) => new ServiceClient({ target: s, baseUrl: urls[s], timeoutMs: 2_000, retries: 0, backoffMs: 100 })),
    admin: adminToken
      ? perService((s) => new ServiceClient({ target: s, baseUrl: urls[s], timeoutMs: 5_000, retries: 2, backoffMs: 200, token: adminToken }))
      : null,
  };
}
