import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/** Runs `work` without tracing it (look-ups made before a request knows what it belongs to). */
export function untraced<T>(work: () => T): T {
  return context.with(suppressTracing(context.active()), work);
}

/** Marks the active span as failed, with the exception as an event. */
export function recordError(err: unknown): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}
