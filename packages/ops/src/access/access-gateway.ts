import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { createProxyServer } from 'http-proxy-3';
import type { Logger } from 'pino';
import { mtlsServerOptions } from '@orderscope/platform';
import { HEALTH_PATH } from './access-components.js';
import { accessRecord } from './access-record.js';

export interface AccessGatewayOptions {
  /** Which component is behind it: names the records (and, for Jaeger, what a request asked for). */
  readonly component: string;
  /** A unix socket path (only oauth2-proxy connects there), or host:port for tests. */
  readonly listen: string;
  /** The component's own HTTPS port, which wants a client certificate of the stack's CA. */
  readonly upstream: string;
  readonly tls: { readonly ca: string; readonly cert: string; readonly key: string };
  /**
   * Serve HTTPS that wants a client certificate of `tls.ca` (with this server certificate) instead
   * of plain HTTP on a socket: the gateway is then the mTLS door of a component that cannot check
   * client certificates itself (VictoriaLogs), and the record names the caller's certificate.
   */
  readonly serverTls?: { readonly cert: string; readonly key: string };
  /** An Authorization header for the upstream (VictoriaLogs' basic auth), which only the gateway holds. */
  readonly upstreamAuthorization?: string;
  /** Where each request's record goes (one JSON object per line). */
  readonly records: Logger;
  /** Operational messages (its own errors). */
  readonly logger: Logger;
}

export { HEALTH_PATH };

/** Headers the component never needs and the records never show: the user's credentials. */
const CREDENTIALS = ['authorization', 'cookie', 'x-forwarded-access-token', 'x-auth-request-access-token'];

/**
 * Between the login (oauth2-proxy) and a component: forwards each request over mTLS with its own
 * client certificate (oauth2-proxy cannot present one), without the user's token or cookie, and
 * writes one access record per request — real JSON, whatever the URL or User-Agent holds.
 */
export function startAccessGateway(opts: AccessGatewayOptions): Promise<Server> {
  const agent = new Agent({
    ca: readFileSync(opts.tls.ca),
    cert: readFileSync(opts.tls.cert),
    key: readFileSync(opts.tls.key),
    keepAlive: true,
    minVersion: 'TLSv1.2',
  });
  const proxy = createProxyServer({ target: opts.upstream, agent, secure: true, changeOrigin: true, proxyTimeout: 60_000 });
  proxy.on('error', (err, _req, res) => {
    opts.logger.warn({ err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'upstream unreachable');
    const out = res as ServerResponse;
    if (out && 'headersSent' in out && !out.headersSent) {
      out.writeHead(502, { 'content-type': 'application/json' });
      out.end(JSON.stringify({ error: 'bad_gateway', message: `${opts.component} is unreachable` }));
    }
  });

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    // Its own liveness (compose's healthcheck, over the socket): answered here, not forwarded.
    if (req.url === HEALTH_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const startedAt = performance.timeOrigin + performance.now();
    const headers = { ...req.headers };
    for (const h of CREDENTIALS) delete req.headers[h];
    if (opts.upstreamAuthorization) req.headers.authorization = opts.upstreamAuthorization;
    const peer = opts.serverTls ? (req.socket as TLSSocket).getPeerCertificate().subject?.CN : undefined;
    res.once('close', () => {
      const record = accessRecord({
        component: opts.component,
        method: req.method ?? 'GET',
        rawUrl: req.url ?? '/',
        headers,
        status: res.writableFinished ? res.statusCode : 499,
        startedAt,
        endedAt: performance.timeOrigin + performance.now(),
        ...(typeof peer === 'string' ? { clientCertificate: peer } : {}),
      });
      opts.records.info(record);
    });
    proxy.web(req, res);
  };
  const server: Server = opts.serverTls
    ? createHttpsServer(mtlsServerOptions({ ca: opts.tls.ca, ...opts.serverTls }), handler)
    : createHttpServer(handler);

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve(server);
    };
    if (opts.listen.startsWith('/')) {
      rmSync(opts.listen, { force: true }); // a socket left by a previous run
      server.listen({ path: opts.listen, readableAll: false, writableAll: false }, () => {
        // Owner and group only: in compose oauth2-proxy joins this process's group to connect.
        chmodSync(opts.listen, 0o660);
        listening();
      });
    } else {
      const [host, port] = opts.listen.split(/:(?=\d+$)/);
      server.listen(Number(port), host, listening);
    }
  });
}
