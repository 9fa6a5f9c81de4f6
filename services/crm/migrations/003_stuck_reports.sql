-- Up Migration
-- When the registry last reported an order as stuck, and in which status: reported once per
-- status, so a stuck order is marked in its trace once, not on every scan.
ALTER TABLE orders ADD COLUMN stuck_reported_status text;
ALTER TABLE orders ADD COLUMN stuck_reported_at timestamptz;
