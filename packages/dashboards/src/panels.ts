import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import { LogsSortOrder } from '@grafana/grafana-foundation-sdk/common';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import { DS } from './datasources.js';
import { LogsQueryBuilder } from './logs-query.js';
import { SqlQueryBuilder } from './sql-query.js';

/** A PromQL query over the range shown, with its legend. */
export const prom = (expr: string, legend = '') => new DataqueryBuilder().datasource(DS.prometheus).expr(expr).legendFormat(legend).range();
/** A PromQL query of the last value only (stat, bar gauge, table panels). */
export const promNow = (expr: string, legend = '') => new DataqueryBuilder().datasource(DS.prometheus).expr(expr).legendFormat(legend).instant();
export const sql = (rawSql: string) => new SqlQueryBuilder(rawSql);
/** A LogsQL query of VictoriaLogs: the records over the range shown. */
export const logsql = (expr: string) => new LogsQueryBuilder(expr);

/** The panel sizes the dashboards use: a grid of 24 columns. */
const at = (w: number, h: number) => ({ w, h, x: 0, y: 0 });

export const graph = (title: string, description: string, unit: string, ...targets: DataqueryBuilder[]) => {
  const p = new timeseries.PanelBuilder().title(title).description(description).unit(unit).datasource(DS.prometheus).gridPos(at(12, 8));
  targets.forEach((t, i) => p.withTarget(t.refId(String.fromCharCode(65 + i))));
  return p;
};

export const number = (title: string, description: string, unit: string, target: DataqueryBuilder) =>
  new stat.PanelBuilder().title(title).description(description).unit(unit).datasource(DS.prometheus).withTarget(target.refId('A')).gridPos(at(6, 4));

export const bars = (title: string, description: string, unit: string, target: DataqueryBuilder) =>
  new bargauge.PanelBuilder().title(title).description(description).unit(unit).datasource(DS.prometheus).withTarget(target.refId('A')).gridPos(at(12, 8));

export const promTable = (title: string, description: string, target: DataqueryBuilder) =>
  new table.PanelBuilder().title(title).description(description).datasource(DS.prometheus).withTarget(target.refId('A').format(PromQueryFormat.Table)).gridPos(at(24, 6));

export const sqlTable = (title: string, description: string, query: SqlQueryBuilder) =>
  new table.PanelBuilder().title(title).description(description).datasource(DS.postgres).withTarget(query.refId('A')).gridPos(at(24, 8));

/** Log records, oldest first, each opening into its fields (the data source's links among them). */
export const logsPanel = (title: string, description: string, query: LogsQueryBuilder) =>
  new logs.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DS.victorialogs)
    .withTarget(query.refId('A'))
    .showTime(true)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .sortOrder(LogsSortOrder.Ascending)
    .gridPos(at(24, 10));
