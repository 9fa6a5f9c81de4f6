import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import multer from 'multer';
import {
  AppError,
  BadRequestError,
  DEFAULT_EXEMPLARS,
  httpMetricsMiddleware,
  NotFoundError,
  PayloadTooLargeError,
  recordError,
  RETRIES_EXHAUSTED_HEADER,
  telemetryStats,
  type Logger,
} from '@orderscope/platform';
import { publicRequestSpan, requestSpanContext, type RequestOrderResolver } from '@orderscope/orders';
import { requestLog } from './request-log.js';
import type { ServiceRuntime } from './runtime.js';

const errorHandler =
  (logger: Logger): ErrorRequestHandler =>
  (err, req, res, _next) => {
    let error: AppError;
    if (err instanceof AppError) error = err;
    else if (err instanceof multer.MulterError) {
      error =
        err.code === 'LIMIT_FILE_SIZE'
          ? new PayloadTooLargeError('the uploaded file exceeds the size limit')
          : new BadRequestError(`upload rejected: ${err.message}`);
    } else if (err?.type === 'entity.too.large') error = new PayloadTooLargeError('request body too large');
    else if (err?.type === 'entity.parse.failed') error = new BadRequestError('request body is not valid JSON');
    else error = new AppError(500, 'internal', 'internal error');
    if (error.status >= 500) {
      // The cause goes to the log (no request body is ever logged) and the trace, not to the caller.
      logger.error({ err, method: req.method, path: req.path, code: error.code }, 'request failed');
      recordError(err);
    }
    if (res.headersSent) return;
    // 502/504 mean "my dependency failed after my retries": tell callers not to retry on top.
    if (error.status === 502 || error.status === 504) res.setHeader(RETRIES_EXHAUSTED_HEADER, '1');
    res.status(error.status).json(error);
  };

/**
 * An Express app with what every service has: request metrics, JSON parsing with a size limit,
 * request logs without bodies, health endpoints, fault injection and its admin endpoint, JSON errors.
 */
export function createApp(runtime: ServiceRuntime, routes: Router, resolveOrder?: RequestOrderResolver): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // First, so that the duration covers everything the app does with the request.
  // Exemplars: the span publicRequestSpan starts for the request (res.locals), once it answered.
  app.use(
    httpMetricsMiddleware(runtime.metrics, {
      ...DEFAULT_EXEMPLARS,
      spanOf: requestSpanContext,
    }),
  );
  app.use(requestLog(runtime.logger, (path) => path.startsWith('/health')));
  app.use(express.json({ limit: '64kb' }));
  app.use(publicRequestSpan(resolveOrder ?? (async () => null), () => telemetryStats.enabled));

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service: runtime.config.service });
  });
  app.get('/health/ready', async (_req, res) => {
    try {
      await runtime.db.ping();
      res.json({ status: 'ok', service: runtime.config.service });
    } catch {
      res.status(503).json({ error: 'not_ready', message: 'database unreachable' });
    }
  });
  // Spans this process exported and lost (e.g. while the collector was unreachable).
  app.get('/health/telemetry', (_req, res) => {
    res.json(telemetryStats);
  });
  app.use('/admin/faults', runtime.faults.adminRouter(runtime.config.adminToken));

  app.use(runtime.faults.middleware());
  app.use(routes);
  app.use((req, _res, next) => next(new NotFoundError(`no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(runtime.logger));
  return app;
}

