import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { jaegerSearch } from './datasources.js';
import { bars, graph, prom, promNow, promTable, sql, sqlTable } from './panels.js';

/**
 * Order flow: where the orders are, how fast they move, which ones stopped. From the CRM's
 * registry (its metrics, and its tables for the oldest stuck orders).
 */
export const orderFlow = () =>
  new DashboardBuilder('Order flow')
    .uid('orderscope-order-flow')
    .description('Orders entering each status, the funnel, time in each status, open and stuck orders; the oldest stuck ones with their traces.')
    .tags(['orderscope'])
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .withRow(new RowBuilder('Flow'))
    .withPanel(
      graph(
        'Orders entering each status',
        'Transitions recorded by the CRM per status and channel (orderscope_order_transitions_total), per second.',
        'ops',
        prom('sum by (status, channel) (rate(orderscope_order_transitions_total[$__rate_interval]))', '{{status}} {{channel}}'),
      ),
    )
    .withPanel(
      bars(
        'Funnel: orders that reached each status in the last hour',
        'How many orders entered each status over the last hour: a step where the bar drops is where orders stop.',
        'short',
        promNow('sum by (status) (increase(orderscope_order_transitions_total[1h]))', '{{status}}'),
      ),
    )
    .withPanel(
      graph(
        'Time spent in each status (p50, p90)',
        'How long orders stayed in a status before they left it (orderscope_order_status_duration_seconds).',
        's',
        prom('histogram_quantile(0.5, sum by (le, status) (rate(orderscope_order_status_duration_seconds_bucket[$__rate_interval])))', 'p50 {{status}}'),
        prom('histogram_quantile(0.9, sum by (le, status) (rate(orderscope_order_status_duration_seconds_bucket[$__rate_interval])))', 'p90 {{status}}'),
      ),
    )
    .withRow(new RowBuilder('Waiting and stuck'))
    .withPanel(
      graph(
        'Open orders per status',
        'Orders waiting in each status now (orderscope_orders_open).',
        'short',
        prom('sum by (status) (orderscope_orders_open)', '{{status}}'),
      ),
    )
    .withPanel(
      graph(
        'Stuck orders per status',
        'Open orders waiting longer than their status allows (orderscope_orders_stuck; the allowed times: orderscope_orders_allowed_wait_seconds): what the OrdersStuck alert watches.',
        'short',
        prom('sum by (status) (orderscope_orders_stuck)', '{{status}}'),
      ),
    )
    .withPanel(
      bars(
        'Oldest open order per status, against its allowed time',
        'How long the oldest order in each status has waited, as a share of the time the status allows (orderscope_orders_oldest_age_seconds / orderscope_orders_allowed_wait_seconds): at 100 % it is stuck.',
        'percentunit',
        promNow('max by (status) (orderscope_orders_oldest_age_seconds) / max by (status) (orderscope_orders_allowed_wait_seconds)', '{{status}}'),
      ),
    )
    .withPanel(
      sqlTable(
        'The oldest stuck orders',
        'Open orders by how far past their allowed time they are, from the CRM registry (read-only role); over 1 means stuck. order_id opens the trace in Jaeger.',
        sql(
          `SELECT o.order_id, o.channel, o.status, o.status_since,
                  round(extract(epoch FROM now() - o.status_since)) AS waiting_s, a.allowed_s,
                  round((extract(epoch FROM now() - o.status_since) / NULLIF(a.allowed_s, 0))::numeric, 2) AS of_allowed
             FROM crm.report_orders o JOIN crm.report_allowed_times a USING (status)
            WHERE o.status <> 'CLOSED'
            ORDER BY of_allowed DESC
            LIMIT 20`,
        ),
      ).overrideByName('order_id', [{ id: 'links', value: [{ title: 'Open the trace in Jaeger', url: jaegerSearch('${__value.raw}'), targetBlank: true }] }]),
    )
    .withPanel(
      promTable(
        'Alerts firing',
        'Every alert Prometheus has firing now (prometheus/rules): the same alerts Alertmanager sends to the CRM as incidents.',
        promNow('ALERTS{alertstate="firing"}'),
      ),
    );
