import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';
import { DS } from './datasources.js';

/**
 * A query of Grafana's PostgreSQL data source (the SDK carries no builder for it): raw SQL,
 * returned as a table. Grafana interpolates its variables and macros ($__timeFilter) first.
 */
export interface SqlQuery extends Dataquery {
  refId?: string;
  datasource?: DataSourceRef;
  rawSql: string;
  format: 'table' | 'time_series';
  editorMode: 'code';
  rawQuery: true;
}

export class SqlQueryBuilder implements Builder<Dataquery> {
  private readonly query: SqlQuery;

  constructor(rawSql: string) {
    this.query = { datasource: DS.postgres, rawSql, format: 'table', editorMode: 'code', rawQuery: true, _implementsDataqueryVariant() {} };
  }

  refId(refId: string): this {
    this.query.refId = refId;
    return this;
  }

  build(): SqlQuery {
    return this.query;
  }
}
