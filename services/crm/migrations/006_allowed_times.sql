-- Up Migration
-- The wall time each status may last before its order counts as stuck, as the running CRM applies
-- it (ALLOWED_MINUTES scaled by ORDER_TIME_SCALE, floored by STUCK_MIN_S; rewritten at each start),
-- for the reports: Grafana's order lookup puts every step next to its allowed time.
CREATE TABLE status_allowed_times (
  status text PRIMARY KEY,
  allowed_s double precision NOT NULL CHECK (allowed_s >= 0),
  updated_at timestamptz NOT NULL
);
CREATE VIEW report_allowed_times AS SELECT status, allowed_s FROM status_allowed_times;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') THEN
    GRANT SELECT ON report_allowed_times TO grafana_reader;
  END IF;
END $$;
