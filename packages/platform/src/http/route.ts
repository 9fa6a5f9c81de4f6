import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { Request, RequestHandler } from 'express';

const MATCHED = Symbol('orderscope.matchedRoute');
type RouteCarrier = Request & { [MATCHED]?: string };

function routePattern(path: unknown): string {
  if (typeof path === 'string') return path;
  if (Array.isArray(path)) return path.map(routePattern).join('|');
  return String(path);
}

/** The pattern of the route that matched the request (`/orders/:orderId`), once one has. */
export function matchedRoute(req: Request): string | undefined {
  return (req as RouteCarrier)[MATCHED];
}

/**
 * Records which route matches each request: the pattern, prefixed by the mount path of the router
 * it is in. The router sets `req.route` while `req.baseUrl` is still that router's (it is restored
 * when the request leaves the router, e.g. on an error), so the pattern is taken at that moment
 * rather than when the response ends. Mount paths must be literal (`app.use('/admin/faults', …)`).
 *
 * The pattern also goes to the HTTP instrumentation's request metadata, which names the server
 * span by it and sets `http.route` when the request ends: what the Express instrumentation did,
 * without its spans and its wrapping of every layer (B1 in docs/performance.md).
 * Installed first, so that every later middleware can read it.
 */
export function matchedRouteMiddleware(): RequestHandler {
  return (req, _res, next) => {
    const rpc = getRPCMetadata(context.active());
    let current: unknown = req.route;
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => current,
      set: (route: { path?: unknown } | undefined) => {
        current = route;
        if (!route) return;
        const pattern = `${req.baseUrl ?? ''}${routePattern(route.path)}`;
        (req as RouteCarrier)[MATCHED] = pattern;
        if (rpc?.type === RPCType.HTTP) rpc.route = pattern;
      },
    });
    next();
  };
}
