import { context, propagation } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';
import { ATTR } from '../telemetry/attributes.js';

export type { Logger };

/**
 * JSON logs. Secrets and personal data never reach them: headers that carry credentials are
 * redacted, and request bodies are never logged anywhere.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // trace_id and span_id come from the pino instrumentation; the order from the baggage.
    mixin: () => {
      const orderId = propagation.getBaggage(context.active())?.getEntry(ATTR.orderId)?.value;
      return orderId ? { order_id: orderId } : {};
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-admin-token"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
        '*.email',
        '*.phone',
      ],
      censor: '[redacted]',
    },
  });
}
