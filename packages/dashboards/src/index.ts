import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { customerSide } from './customer-side.js';
import { orderFlow } from './order-flow.js';
import { orderLookup } from './order-lookup.js';
import { serviceSla } from './service-sla.js';
import { tracingPipeline } from './tracing-pipeline.js';
import { DS } from './datasources.js';

export { DS, JAEGER_UI } from './datasources.js';
export { layout } from './layout.js';

/** Every provisioned dashboard, by the file name it is written to (grafana/provisioning/dashboards). */
export const DASHBOARDS: Record<string, () => { build(): Dashboard }> = {
  'order-flow': orderFlow,
  'service-sla': serviceSla,
  'tracing-pipeline': tracingPipeline,
  'order-lookup': orderLookup,
  'customer-side': customerSide,
};

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly datasource: { type?: string; uid?: string };
  /** PromQL or LogsQL (expr) or SQL (rawSql), as Grafana sends it before interpolation. */
  readonly query: string;
  /** By the data source: an expr is LogsQL for VictoriaLogs, else PromQL. */
  readonly kind: 'promql' | 'sql' | 'logsql';
  /** A PromQL query of the last value only (Grafana asks /api/v1/query), else over the range shown. */
  readonly instant: boolean;
}

/** Every query of every panel, for tests that run them against the real Prometheus, PostgreSQL and VictoriaLogs. */
export function panelQueries(name: string, dashboard: Dashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const panel of dashboard.panels ?? []) {
    if (!('targets' in panel)) continue;
    type Target = { expr?: string; rawSql?: string; instant?: boolean; datasource?: { type?: string; uid?: string } };
    for (const t of (panel.targets ?? []) as Target[]) {
      const datasource = t.datasource ?? (panel.datasource as { type?: string; uid?: string }) ?? {};
      const base = { dashboard: name, panel: panel.title ?? '', datasource, instant: t.instant === true };
      if (t.expr !== undefined) out.push({ ...base, query: t.expr, kind: datasource.type === DS.victorialogs.type ? 'logsql' : 'promql' });
      if (t.rawSql !== undefined) out.push({ ...base, query: t.rawSql, kind: 'sql' });
    }
  }
  return out;
}
