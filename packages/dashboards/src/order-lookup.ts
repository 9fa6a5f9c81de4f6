import { DashboardBuilder, DashboardLinkBuilder, TextBoxVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { jaegerSearch } from './datasources.js';
import { logsPanel, logsql, sql, sqlTable } from './panels.js';

/** The order the dashboard shows, as a SQL string literal (Grafana's sqlstring format escapes it). */
const ORDER = '${order_id:sqlstring}';

/** The order in LogsQL: an exact match of the order_id field the services log with (docs/logging.md). */
const ORDER_LOGS = 'order_id:="$order_id" | sort by (_time)';

/** Order lookup: one order's status, its history with the time each step took, its logs and its trace. */
export const orderLookup = () =>
  new DashboardBuilder('Order lookup')
    .uid('orderscope-order-lookup')
    .description("One order from the CRM's registry: its status, every transition and how long each step took, what the services logged about it, a link to its trace.")
    .tags(['orderscope'])
    .time({ from: 'now-7d', to: 'now' })
    .withVariable(new TextBoxVariableBuilder('order_id').label('order_id'))
    .link(new DashboardLinkBuilder('The trace in Jaeger').type('link' as never).url(jaegerSearch('${order_id}')).targetBlank(true))
    .withPanel(
      sqlTable(
        'The order',
        'Where it is now, since when, and how long it has waited there.',
        sql(
          `SELECT o.order_id, o.channel, o.status, o.status_since, round(extract(epoch FROM now() - o.status_since)) AS waiting_s,
                  a.allowed_s, o.status <> 'CLOSED' AND now() - o.status_since > make_interval(secs => a.allowed_s) AS stuck,
                  o.created_at, o.closed_at, o.close_reason
             FROM crm.report_orders o LEFT JOIN crm.report_allowed_times a USING (status)
            WHERE o.order_id::text = ${ORDER}`,
        ),
      ).overrideByName('order_id', [{ id: 'links', value: [{ title: 'Open the trace in Jaeger', url: jaegerSearch('${__value.raw}'), targetBlank: true }] }]),
    )
    .withPanel(
      sqlTable(
        'Its history',
        'Every transition, who made it, and how long the order spent in the status before, against the time that status allows (over: it was stuck there).',
        sql(
          `SELECT t.seq, t.status, t.actor, t.occurred_at, t.previous_status,
                  round(t.previous_status_ms / 1000.0, 1) AS seconds_in_previous, a.allowed_s,
                  t.previous_status_ms / 1000.0 > a.allowed_s AS over_allowed
             FROM crm.report_transitions t LEFT JOIN crm.report_allowed_times a ON a.status = t.previous_status
            WHERE t.order_id::text = ${ORDER}
            ORDER BY t.seq`,
        ),
      ),
    )
    .withPanel(
      sqlTable(
        'Incidents while it was open',
        'Alerts the CRM recorded (from Alertmanager) while this order was open: OrdersStuck for its status, and what else fired.',
        sql(
          `SELECT i.alertname, i.status, i.labels->>'status' AS order_status, i.starts_at, i.ends_at, i.annotations->>'summary' AS summary
             FROM crm.report_incidents i, crm.report_orders o
            WHERE o.order_id::text = ${ORDER}
              AND i.starts_at <= COALESCE(o.closed_at, now()) AND COALESCE(i.ends_at, now()) >= o.created_at
            ORDER BY i.starts_at DESC
            LIMIT 50`,
        ),
      ),
    )
    .withPanel(
      logsPanel(
        'Logs of this order',
        "What every service logged while it handled this order (VictoriaLogs), oldest first; a record's trace_id opens its trace in Jaeger.",
        logsql(ORDER_LOGS),
      ),
    );
