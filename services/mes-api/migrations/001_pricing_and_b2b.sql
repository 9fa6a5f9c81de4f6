-- Up Migration
-- B2B orders placed through the public API, keyed by the client's Idempotency-Key so a retried
-- upload never creates a second order.
CREATE TABLE b2b_orders (
  order_id         uuid PRIMARY KEY,
  customer_id      text NOT NULL,
  quantity         integer NOT NULL CHECK (quantity > 0),
  material         text NOT NULL,
  idempotency_key  text UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE models (
  order_id     uuid PRIMARY KEY REFERENCES b2b_orders (order_id),
  format       text NOT NULL CHECK (format IN ('binary', 'ascii')),
  triangles    integer NOT NULL,
  size_x       double precision NOT NULL,
  size_y       double precision NOT NULL,
  size_z       double precision NOT NULL,
  bytes        integer NOT NULL,
  sha256       text NOT NULL,
  path         text NOT NULL,
  uploaded_at  timestamptz NOT NULL DEFAULT now()
);

-- Prices of every order, B2C (asked by the shop) and B2B alike.
CREATE TABLE prices (
  order_id       uuid PRIMARY KEY,
  channel        text NOT NULL CHECK (channel IN ('b2c', 'b2b')),
  quantity       integer NOT NULL,
  material       text NOT NULL,
  volume_cm3     double precision NOT NULL,
  price_cents    bigint NOT NULL,
  calculated_at  timestamptz NOT NULL DEFAULT now()
);
