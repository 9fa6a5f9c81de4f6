-- Up Migration
-- Work orders on the shop floor. The state mirrors the order's manufacturing statuses; each step's
-- time is kept (the first one: a retried step does not move it).
CREATE TABLE work_orders (
  order_id         uuid PRIMARY KEY,
  quantity         integer NOT NULL CHECK (quantity > 0),
  material         text NOT NULL,
  state            text NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'in_progress', 'completed', 'packaging', 'shipped')),
  received_at      timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  completed_at     timestamptz,
  packaging_at     timestamptz,
  shipped_at       timestamptz,
  carrier          text,
  tracking_number  text
);
-- The operators' queue: oldest first.
CREATE INDEX work_orders_by_state ON work_orders (state, received_at);
