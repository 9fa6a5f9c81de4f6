import { isUtf8 } from 'node:buffer';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import multer from 'multer';
import {
  AppError,
  BadRequestError,
  DEFAULT_EXEMPLARS,
  httpMetricsMiddleware,
  matchedRouteMiddleware,
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

/**
 * A client error of Express or its body parser: a 4xx status on the error (http-errors, or the
 * router's URIError for a param that is not valid percent-encoding), whose message is about the request.
 */
function isClientHttpError(err: unknown): err is { status: number; message: string } {
  const e = err as { status?: unknown; expose?: unknown } | null;
  return typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose !== false;
}

class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

/** The bodies the app parses: JSON (express.json) and multipart uploads (multer, per route). */
const PARSED_TYPES = ['application/json', 'multipart/form-data'];

/**
 * A body of any other type would be silently ignored (the route would see no fields, or worse act
 * without them): 415 naming what is accepted. A request without a body passes, whatever it says.
 */
const onlyParsedBodies: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is(PARSED_TYPES)) {
    next(new UnsupportedMediaTypeError(`content-type ${req.headers['content-type'] ?? '(none)'} is not accepted: send application/json (multipart/form-data for uploads)`));
    return;
  }
  next();
};

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
    else if (err?.type === 'entity.verify.failed') error = new BadRequestError('request body is not valid UTF-8');
    else if (err?.type === 'charset.unsupported' || err?.type === 'encoding.unsupported') error = new UnsupportedMediaTypeError(err.message);
    // Other client errors of Express and its body parser (a path that is not valid percent-encoding,
    // a body shorter than its Content-Length, a corrupt gzip body): theirs to fix, not a 500.
    else if (isClientHttpError(err)) error = err.status === 400 ? new BadRequestError(err.message) : new AppError(err.status, 'client_error', err.message);
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
  // Which route matched: read by the metrics, the request spans and the HTTP instrumentation.
  app.use(matchedRouteMiddleware());
  // Next, so that the duration covers everything the app does with the request.
  // Exemplars: the span publicRequestSpan starts for the request (res.locals), once it answered.
  app.use(
    httpMetricsMiddleware(runtime.metrics, {
      ...DEFAULT_EXEMPLARS,
      spanOf: requestSpanContext,
    }),
  );
  app.use(requestLog(runtime.logger, (path) => path.startsWith('/health')));
  app.use(onlyParsedBodies);
  // Invalid UTF-8 would be decoded into U+FFFD and stored as if the caller had sent it: refused.
  app.use(
    express.json({
      limit: '64kb',
      verify: (_req, _res, buf, encoding) => {
        if (encoding === 'utf-8' && !isUtf8(buf)) throw new Error('request body is not valid UTF-8');
      },
    }),
  );
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

