-- Up Migration
-- Alertmanager's notifications as the CRM's incidents: one row per alert occurrence (its
-- fingerprint and when it started), firing until a notification says it resolved.
CREATE TABLE incidents (
  fingerprint   text NOT NULL,
  starts_at     timestamptz NOT NULL,
  alertname     text NOT NULL,
  status        text NOT NULL CHECK (status IN ('firing', 'resolved')),
  severity      text,
  labels        jsonb NOT NULL,
  annotations   jsonb NOT NULL,
  ends_at       timestamptz,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (fingerprint, starts_at)
);
CREATE INDEX incidents_by_status ON incidents (status, last_seen_at DESC);
