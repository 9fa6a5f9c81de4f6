-- Up Migration
-- B2C orders of the Internet Shop. The customer's id stays in the shop (and the registry);
-- Idempotency-Key makes a retried "new order" return the same order.
CREATE TABLE orders (
  order_id         uuid PRIMARY KEY,
  user_id          text NOT NULL,
  idempotency_key  text UNIQUE,
  quantity         integer,
  material         text,
  price_cents      bigint,
  created_at       timestamptz NOT NULL DEFAULT now(),
  submitted_at     timestamptz
);

CREATE TABLE models (
  order_id     uuid PRIMARY KEY REFERENCES orders (order_id),
  source       text NOT NULL CHECK (source IN ('upload', 'constructor')),
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
