import { pino, type Logger } from 'pino';

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
