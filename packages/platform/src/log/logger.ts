import { context, propagation } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs. Secrets and personal data never reach them: headers that carry credentials are
 * redacted, and request bodies are never logged anywhere.
 */
export function createLogger(service: string, level: string, opts: { baggageFields?: readonly string[] } = {}): Logger {
  const fields = opts.baggageFields ?? [];
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // trace_id and span_id come from the pino instrumentation; `baggageFields` from the baggage.
    mixin: () => {
      const baggage = propagation.getBaggage(context.active());
      if (!baggage) return {};
      const out: Record<string, string> = {};
      for (const key of fields) {
        const value = baggage.getEntry(key)?.value;
        if (value !== undefined) out[key] = value;
      }
      return out;
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
