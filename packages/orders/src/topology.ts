/** The four services of the 3D-printing company, with the ports and DB schemas they own. */
export const SERVICE_NAMES = ['shop', 'mes-api', 'crm', 'mes'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

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
}

export const SERVICES: Readonly<Record<ServiceName, ServiceDescriptor>> = {
  shop: { name: 'shop', port: 8081, metricsPort: 9481, dbSchema: 'shop', urlEnv: 'SHOP_URL' },
  'mes-api': { name: 'mes-api', port: 8082, metricsPort: 9482, dbSchema: 'mes_api', urlEnv: 'MES_API_URL' },
  crm: { name: 'crm', port: 8083, metricsPort: 9483, dbSchema: 'crm', urlEnv: 'CRM_URL' },
  mes: { name: 'mes', port: 8084, metricsPort: 9484, dbSchema: 'mes', urlEnv: 'MES_URL' },
};

export function isServiceName(value: unknown): value is ServiceName {
  return typeof value === 'string' && (SERVICE_NAMES as readonly string[]).includes(value);
}
