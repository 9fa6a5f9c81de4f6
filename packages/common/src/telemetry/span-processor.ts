import { propagation, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ORDER_BAGGAGE_KEYS } from './attributes.js';

/**
 * Puts the order's baggage (order_id, pseudonymised user_id) on every span as it starts, so that a
 * Jaeger search by `order_id` finds the trace through any service's spans — DB spans included.
 */
export class OrderBaggageSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const baggage = propagation.getBaggage(parentContext);
    if (!baggage) return;
    for (const key of ORDER_BAGGAGE_KEYS) {
      const entry = baggage.getEntry(key);
      if (entry) span.setAttribute(key, entry.value);
    }
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
