import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';
import { DS } from './datasources.js';

/**
 * A query of the VictoriaLogs data source (plugin victoriametrics-logs-datasource; the SDK carries
 * no builder for it): LogsQL as typed in the code editor, run once over the range shown
 * (queryType instant: the records, not a series of hits). The plugin fills in the dashboard's
 * variables first; a single text value goes in as it is typed.
 */
export interface LogsQuery extends Dataquery {
  refId?: string;
  datasource?: DataSourceRef;
  expr: string;
  queryType: 'instant';
  editorMode: 'code';
}

export class LogsQueryBuilder implements Builder<Dataquery> {
  private readonly query: LogsQuery;

  constructor(expr: string) {
    this.query = { datasource: DS.victorialogs, expr, queryType: 'instant', editorMode: 'code', _implementsDataqueryVariant() {} };
  }

  refId(refId: string): this {
    this.query.refId = refId;
    return this;
  }

  build(): LogsQuery {
    return this.query;
  }
}
