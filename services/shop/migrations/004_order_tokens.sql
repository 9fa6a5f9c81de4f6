-- Up Migration
-- The customer's capability for each order (docs/access-control.md): only the SHA-256 of each
-- `order_token` handed out, never the token. An order may have more than one: a retried creation
-- (same Idempotency-Key) gets a token of its own, as its first answer may have been lost.
CREATE TABLE order_tokens (
  order_id    uuid NOT NULL REFERENCES orders (order_id),
  token_hash  bytea NOT NULL CHECK (octet_length(token_hash) = 32),
  issued_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, token_hash)
);
