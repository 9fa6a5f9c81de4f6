-- Up Migration
-- What the shop tells customers about their orders — B2C customers and B2B clients (through their
-- business account) alike: the CRM sends each customer-visible event here.
CREATE TABLE customer_notifications (
  order_id     uuid NOT NULL,
  event        text NOT NULL CHECK (event IN ('ORDER_CONFIRMED', 'ORDER_DELIVERED')),
  channel      text NOT NULL CHECK (channel IN ('b2c', 'b2b')),
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, event)
);
