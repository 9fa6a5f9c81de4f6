-- Up Migration
-- The order registry: every order's current status and its full history, whoever set it.
CREATE TABLE orders (
  order_id      uuid PRIMARY KEY,
  channel       text NOT NULL CHECK (channel IN ('b2c', 'b2b')),
  -- The customer's id as the shop or the B2B API knows it; kept here for "where is my order?".
  user_id       text,
  status        text NOT NULL,
  status_since  timestamptz NOT NULL,
  created_at    timestamptz NOT NULL,
  closed_at     timestamptz,
  close_reason  text CHECK (close_reason IN ('delivered', 'manual'))
);
-- "Which orders are stuck?": open orders by the time they entered their status.
CREATE INDEX orders_open_by_status_since ON orders (status_since) WHERE status <> 'CLOSED';

CREATE TABLE order_transitions (
  order_id            uuid NOT NULL REFERENCES orders (order_id),
  seq                 integer NOT NULL CHECK (seq > 0),
  status              text NOT NULL,
  previous_status     text,
  actor               text NOT NULL,
  occurred_at         timestamptz NOT NULL,
  previous_status_ms  bigint,
  PRIMARY KEY (order_id, seq),
  -- A status happens once per order: a retried transition cannot add a row.
  UNIQUE (order_id, status)
);

CREATE TABLE approvals (
  order_id          uuid PRIMARY KEY REFERENCES orders (order_id),
  quantity          integer NOT NULL,
  material          text NOT NULL,
  price_cents       bigint NOT NULL,
  approved_at       timestamptz NOT NULL,
  handed_to_mes_at  timestamptz
);

CREATE TABLE deliveries (
  order_id         uuid PRIMARY KEY REFERENCES orders (order_id),
  tracking_number  text NOT NULL,
  delivered_at     timestamptz NOT NULL,
  received_at      timestamptz NOT NULL
);
