import { Agent, request } from 'node:https';
import express, { type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { AppError, BadRequestError, mtlsClientOptions, PayloadTooLargeError, type Logger } from '@orderscope/platform';
import type { RumConfig } from '@orderscope/service-kit';

/**
 * The browser's telemetry door (docs/browser-monitoring.md): the storefront posts its spans here,
 * same origin. A browser has no client certificate and any key in the bundle is public, so this
 * is an untrusted ingress: only pages of our origins, bounded in size and rate per client, and
 * relayed to the collector's browser port over mTLS with the relay's own key, where an untrusted
 * pipeline rewrites what the browser may claim.
 */
export function rumRelay(cfg: RumConfig, logger: Logger, path: string): Router {
  const router = express.Router();
  const agent = cfg.relay ? new Agent({ ...mtlsClientOptions(cfg.relay.tls), keepAlive: true, maxSockets: 8 }) : null;
  const allowed = new Set(cfg.allowedOrigins);

  router.post(
    path,
    (req, _res, next) => {
      const origin = req.headers.origin;
      if (!origin || !allowed.has(origin)) throw new AppError(403, 'forbidden_origin', `origin ${origin ?? '(none)'} may not send telemetry here`);
      next();
    },
    rateLimit({
      windowMs: 60_000,
      limit: cfg.requestsPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, res) => void res.status(429).json({ error: 'too_many_requests', message: `at most ${cfg.requestsPerMinute} telemetry posts per minute per client` }),
    }),
    async (req, res) => {
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > cfg.maxBytes) throw new PayloadTooLargeError(`telemetry payload of ${length} bytes exceeds ${cfg.maxBytes}`);
      const body = req.body as { resourceSpans?: unknown } | undefined;
      if (!body || typeof body !== 'object' || !Array.isArray(body.resourceSpans)) {
        throw new BadRequestError('expected an OTLP/JSON traces payload ({"resourceSpans": [...]})');
      }
      if (!cfg.relay || !agent) throw new AppError(503, 'rum_relay_off', 'browser telemetry is not configured here (RUM_OTLP_TOKEN_FILE)');
      const status = await relay(cfg.relay.url, cfg.relay.token, agent, Buffer.from(JSON.stringify(body))).catch((err: Error) => {
        logger.warn({ err: { message: err.message } }, 'browser telemetry relay failed');
        return 502;
      });
      if (status >= 300) throw new AppError(status === 429 || status === 503 ? 503 : 502, 'rum_relay_failed', 'the telemetry collector did not take these spans');
      res.status(200).json({});
    },
  );
  return router;
}

function relay(url: string, token: string, agent: Agent, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, timeout: 5000, headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 502));
      },
    );
    req.once('timeout', () => req.destroy(new Error('collector timeout')));
    req.once('error', reject);
    req.end(body);
  });
}
