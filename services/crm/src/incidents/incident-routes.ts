import { AppError, parseInput, requireBearer } from '@orderscope/platform';
import { type ServiceRuntime } from '@orderscope/service-kit';
import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { webhookPayload } from './alertmanager-webhook.js';
import { IncidentStore } from './incident-store.js';

/**
 * The CRM's incidents: Alertmanager's webhook receiver (alertmanager/alertmanager.yml) posts every
 * notification here with its own bearer (alerts_webhook_token), and operations read what fired —
 * "orders stuck in MANUFACTURING_STARTED since 10:42" — beside the registry.
 */
export function incidentRoutes(rt: ServiceRuntime): Router {
  const store = new IncidentStore(rt.db);
  const router = express.Router();
  const token = rt.config.alertsWebhookToken;
  const alertmanager: RequestHandler = token
    ? requireBearer(token)
    : (_req, _res, next) =>
        next(new AppError(503, 'webhook_not_configured', 'the incidents webhook has no token: set ALERTS_WEBHOOK_TOKEN_FILE'));

  router.post('/internal/incidents/alertmanager', alertmanager, async (req, res) => {
    const payload = parseInput(webhookPayload, req.body);
    await store.record(payload.alerts);
    for (const a of payload.alerts) {
      rt.logger.warn({ alertname: a.labels.alertname, status: a.status, fingerprint: a.fingerprint }, 'incident from Alertmanager');
    }
    res.json({ recorded: payload.alerts.length });
  });

  router.get('/internal/incidents', requireBearer(rt.config.internalApiToken), async (req, res) => {
    const q = parseInput(
      z.object({
        status: z.enum(['firing', 'resolved']).optional(),
        alertname: z.string().min(1).max(200).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      req.query,
    );
    res.json({
      incidents: await store.list({ limit: q.limit, ...(q.status ? { status: q.status } : {}), ...(q.alertname ? { alertname: q.alertname } : {}) }),
    });
  });
  return router;
}
