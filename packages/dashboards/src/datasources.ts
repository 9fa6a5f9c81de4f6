import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * The data sources the dashboards read, by the uids grafana/provisioning/datasources provisions
 * (scripts/check-configs.sh fails on a uid that is not provisioned).
 */
export const DS = {
  prometheus: { type: 'prometheus', uid: 'prometheus' },
  postgres: { type: 'grafana-postgresql-datasource', uid: 'postgres' },
  jaeger: { type: 'jaeger', uid: 'jaeger' },
  victorialogs: { type: 'victoriametrics-logs-datasource', uid: 'victorialogs' },
} as const satisfies Record<string, DataSourceRef>;

/** Where people open Jaeger (compose publishes its UI here): links from panels to an order's trace. */
export const JAEGER_UI = 'https://localhost:16686';

/** Jaeger's search for an order's trace, by the order_id tag every service sets. */
export const jaegerSearch = (orderIdExpr: string) =>
  `${JAEGER_UI}/search?service=crm&tags=${encodeURIComponent('{"order_id":"')}${orderIdExpr}${encodeURIComponent('"}')}`;
