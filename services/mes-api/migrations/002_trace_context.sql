-- Up Migration
-- The order's trace context: captured when the order is created (its root span); the customer's
-- later requests about the order continue that trace (docs/tracing.md).
ALTER TABLE b2b_orders ADD COLUMN trace_context jsonb;
