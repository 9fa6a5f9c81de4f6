import topology from './topology.json' with { type: 'json' };

/**
 * The four services of the 3D-printing company, with the ports and DB schemas they own, and the
 * stack's other components — all from topology.json, the one source scripts and checks read too.
 */
export type ServiceName = keyof typeof topology.services;
export const SERVICE_NAMES = Object.keys(topology.services) as [ServiceName, ...ServiceName[]];

export interface ServiceDescriptor {
  readonly name: ServiceName;
  /** Port in compose and in the native stack alike. */
  readonly port: number;
  /** Port of its Prometheus `/metrics` endpoint (HTTPS, client certificate required), apart from the API. */
  readonly metricsPort: number;
  /** PostgreSQL schema and login role the service owns (least privilege: nothing else). */
  readonly dbSchema: string;
  /** Environment variable holding the service's base URL for its callers. */
  readonly urlEnv: string;
  /** The user its container runs as. */
  readonly uid: number;
}

export const SERVICES: Readonly<Record<ServiceName, ServiceDescriptor>> = Object.fromEntries(
  SERVICE_NAMES.map((name) => [name, { name, ...topology.services[name] }]),
) as Record<ServiceName, ServiceDescriptor>;

export type ComponentName = keyof typeof topology.components;

/** The stack's other components: the uid each runs as, and whether it speaks TLS (gets certificates). */
export const COMPONENTS: Readonly<Record<ComponentName, { readonly uid: number; readonly tls: boolean }>> = topology.components;

export function isServiceName(value: unknown): value is ServiceName {
  return typeof value === 'string' && (SERVICE_NAMES as readonly string[]).includes(value);
}
