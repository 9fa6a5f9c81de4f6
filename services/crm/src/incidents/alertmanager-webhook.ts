import { z } from 'zod';

/**
 * What Alertmanager posts to a webhook receiver (its payload version 4; Alertmanager's
 * notify/webhook). Only the fields the CRM keeps are read; the rest is let through.
 */
const labelSet = z.record(z.string(), z.string());
export const webhookAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet.refine((l) => typeof l.alertname === 'string' && l.alertname.length > 0, 'must name the alert (alertname)'),
  annotations: labelSet.default({}),
  startsAt: z.iso.datetime({ offset: true }),
  // Go's zero time ("0001-01-01T00:00:00Z") while firing.
  endsAt: z.iso.datetime({ offset: true }).optional(),
  fingerprint: z.string().min(1).max(64),
});
export const webhookPayload = z.object({
  version: z.literal('4'),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  alerts: z.array(webhookAlert).min(1).max(1000),
});
export type WebhookAlert = z.infer<typeof webhookAlert>;
