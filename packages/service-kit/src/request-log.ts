import { context, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import type { Logger } from '@orderscope/platform';
import { requestOrderId, requestSpanContext } from '@orderscope/orders';

/**
 * One record per request, when it ends: method, path (never the query or a body), status, time,
 * and the trace and order it belongs to — "request completed", "request errored" from 500 on,
 * "request aborted" when the client left first. Written in the request's trace context, so the
 * record reaches the log store with its trace (OTLP), as its trace_id shows on stdout. pino-http
 * cannot do that here: the HTTP instrumentation binds the responses of the requests it leaves to
 * publicRequestSpan to a context without a span, and pino-http's listener runs in it.
 */
export function requestLog(logger: Logger, ignore: (path: string) => boolean): RequestHandler {
  return (req, res, next) => {
    if (ignore(req.path)) {
      next();
      return;
    }
    const started = performance.now();
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const span = requestSpanContext(res);
      const ctx = span ? trace.setSpanContext(context.active(), span) : context.active();
      const status = res.writableFinished ? res.statusCode : undefined;
      // trace_id and span_id: added by the pino instrumentation, from the context below.
      const orderId = requestOrderId(res);
      const record = {
        req: { method: req.method, path: req.originalUrl.split('?')[0] },
        res: { status: status ?? null },
        responseTime: Math.round(performance.now() - started),
        ...(orderId ? { order_id: orderId } : {}),
      };
      context.with(ctx, () => {
        if (status === undefined) logger.warn(record, 'request aborted');
        else if (status >= 500) logger.error(record, 'request errored');
        else logger.info(record, 'request completed');
      });
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}
