-- Up Migration
-- The MES's operators, each with a key of their own (docs/access-control.md): only its SHA-256 is
-- kept. A revoked operator keeps their row, so the transitions they made still name an operator.
CREATE TABLE operators (
  operator_id  uuid PRIMARY KEY,
  name         text NOT NULL,
  key_hash     bytea NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
