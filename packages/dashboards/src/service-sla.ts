import { DashboardBuilder, QueryVariableBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DS } from './datasources.js';
import { graph, prom, promTable, promNow } from './panels.js';

const SVC = 'service=~"$service"';
const API = `job="services",${SVC},route!~"/health.*"`;

/**
 * Service SLA: rate, errors and latency per service and route against the SLA, the SLO budgets
 * (prometheus/rules/slo.yml) and their burn rate, retries and timeouts per dependency, the
 * database, and the service graph from the traces.
 */
export const serviceSla = () =>
  new DashboardBuilder('Service SLA')
    .uid('orderscope-service-sla')
    .description('Rate, 5xx, latency against the 0.5 s SLA, SLO error budgets and burn rates, calls between the services, the database.')
    .tags(['orderscope'])
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .withVariable(
      new QueryVariableBuilder('service')
        .label('Service')
        .datasource(DS.prometheus)
        .query('label_values(http_server_request_duration_seconds_count, service)')
        .multi(true)
        .includeAll(true)
        .allValue('.*'),
    )
    .withRow(new RowBuilder('Requests'))
    .withPanel(graph('Requests per second', 'Per service and route (health checks excluded).', 'reqps', prom(`sum by (service, route) (rate(http_server_request_duration_seconds_count{${API}}[$__rate_interval]))`, '{{service}} {{route}}')))
    .withPanel(graph('5xx per second', 'Answers with a 5xx status, per service and route.', 'reqps', prom(`sum by (service, route) (rate(http_server_request_duration_seconds_count{${API},status_code=~"5.."}[$__rate_interval]))`, '{{service}} {{route}}')))
    .withPanel(
      graph(
        'Latency p50 / p95 / p99 against the 0.5 s SLA',
        'Per service; the SLA threshold is the le="0.5" bucket the latency SLO counts.',
        's',
        prom(`histogram_quantile(0.5, sum by (le, service) (rate(http_server_request_duration_seconds_bucket{${API}}[$__rate_interval])))`, 'p50 {{service}}'),
        prom(`histogram_quantile(0.95, sum by (le, service) (rate(http_server_request_duration_seconds_bucket{${API}}[$__rate_interval])))`, 'p95 {{service}}'),
        prom(`histogram_quantile(0.99, sum by (le, service) (rate(http_server_request_duration_seconds_bucket{${API}}[$__rate_interval])))`, 'p99 {{service}}'),
      ),
    )
    .withPanel(graph('Latency p95 per route', 'Where the time goes, per route.', 's', prom(`histogram_quantile(0.95, sum by (le, service, route) (rate(http_server_request_duration_seconds_bucket{${API}}[$__rate_interval])))`, '{{service}} {{route}}')))
    .withRow(new RowBuilder('SLOs'))
    .withPanel(graph('Bad requests over the last hour, per SLI', 'slo:sli_error:ratio_rate1h: the share of requests that missed the availability or latency objective.', 'percentunit', prom(`slo:sli_error:ratio_rate1h{${SVC}}`, '{{service}} {{sli}}')))
    .withPanel(graph('Burn rate (1 h)', 'How many times faster than allowed the error budget is spent: 1 spends it in exactly 30 days; 14.4 pages.', 'short', prom(`slo:sli_error:ratio_rate1h{${SVC}} / on (sli) group_left () slo:error_budget:ratio`, '{{service}} {{sli}}')))
    .withPanel(
      promTable(
        'Error budget left at the 3-day burn rate',
        '1 - (3-day burn rate): the share of a 30-day budget that would be left if the last 3 days went on. Negative: overspent.',
        promNow(`1 - (slo:sli_error:ratio_rate3d{${SVC}} / on (sli) group_left () slo:error_budget:ratio)`),
      ),
    )
    .withRow(new RowBuilder('Dependencies'))
    .withPanel(graph('Retries per second, per dependency', 'orderscope_call_retries_total: a caller retrying a callee (RetryStorm alerts above one per two calls).', 'ops', prom(`sum by (service, peer_service) (rate(orderscope_call_retries_total{${SVC}}[$__rate_interval]))`, '{{service}} → {{peer_service}}')))
    .withPanel(graph('Timed-out attempts per second, per dependency', 'orderscope_call_timeouts_total: attempts that ran out of their time budget.', 'ops', prom(`sum by (service, peer_service) (rate(orderscope_call_timeouts_total{${SVC}}[$__rate_interval]))`, '{{service}} → {{peer_service}}')))
    .withPanel(graph('Calls per outcome', 'Logical calls (all attempts) per caller, callee and outcome.', 'ops', prom(`sum by (service, peer_service, outcome) (rate(orderscope_calls_total{${SVC}}[$__rate_interval]))`, '{{service}} → {{peer_service}} {{outcome}}')))
    .withPanel(
      promTable(
        'Service graph (from the traces)',
        "The collector's service graph: requests per second between the services, and their failures.",
        promNow('sum by (client, server) (rate(traces_service_graph_request_total[5m]))'),
      ),
    )
    .withRow(new RowBuilder('Database'))
    .withPanel(graph('Query latency p95', 'db_client_operation_duration_seconds per service and operation.', 's', prom(`histogram_quantile(0.95, sum by (le, service, db_operation_name) (rate(db_client_operation_duration_seconds_bucket{${SVC}}[$__rate_interval])))`, '{{service}} {{db_operation_name}}')))
    .withPanel(graph('Pool connections in use', 'db_client_connection_count{state="used"} against the pool size.', 'short', prom(`sum by (service) (db_client_connection_count{${SVC},state="used"})`, '{{service}} used'), prom(`max by (service) (db_client_connection_max{${SVC}})`, '{{service}} max')));
