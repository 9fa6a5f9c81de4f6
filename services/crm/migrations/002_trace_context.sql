-- Up Migration
-- The order's trace context (W3C traceparent of its root span, and baggage), given by the service
-- that creates the order; every later step continues it (docs/tracing.md).
ALTER TABLE orders ADD COLUMN trace_context jsonb;
