-- Up Migration
-- The order's trace context, handed over by the CRM with the work order: the operators' steps,
-- which come later and from outside, continue the order's trace from it (docs/tracing.md).
ALTER TABLE work_orders ADD COLUMN trace_context jsonb;
