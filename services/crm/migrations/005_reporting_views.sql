-- Up Migration
-- What the dashboards may read of the registry (Grafana's read-only role, grafana_reader, made by
-- the DB bootstrap): the orders without the customer's id nor the trace context, their
-- transitions, the incidents. The views run with this schema owner's rights; the reader gets
-- nothing else.
CREATE VIEW report_orders AS
  SELECT order_id, channel, status, status_since, created_at, closed_at, close_reason FROM orders;
CREATE VIEW report_transitions AS
  SELECT order_id, seq, status, previous_status, actor, occurred_at, previous_status_ms FROM order_transitions;
CREATE VIEW report_incidents AS
  SELECT fingerprint, starts_at, alertname, status, severity, labels, annotations, ends_at, first_seen_at, last_seen_at FROM incidents;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO grafana_reader', current_schema());
    GRANT SELECT ON report_orders, report_transitions, report_incidents TO grafana_reader;
  END IF;
END $$;
