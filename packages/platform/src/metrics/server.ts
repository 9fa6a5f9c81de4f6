import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';
import { mtlsServerOptions, type TlsFiles } from '../tls.js';
import { bearerToken, secretsEqual } from '../http/auth.js';

export interface MetricsServerOptions {
  /** 0: a free port (tests). */
  port: number;
  host: string;
  /** `ca`: the only CA whose client certificates are accepted; `cert`/`key`: this server's. */
  tls: TlsFiles;
  registry: Registry;
  /** The API key Prometheus shows (Authorization: Bearer), besides its client certificate. */
  token: string;
  /** Refused TLS clients are logged here (warn). */
  logger?: Logger;
}

export interface MetricsServer {
  readonly port: number;
  /** `https://host:port/metrics` */
  readonly url: string;
  /** Stops listening, lets a scrape in progress finish (briefly), then cuts what is left. */
  close(): Promise<void>;
}

/** How long close() lets a scrape in progress finish; Prometheus simply retries at the next interval. */
const CLOSE_GRACE_MS = 2000;

function json(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * Prometheus's scrape endpoint: `GET /metrics` over HTTPS on its own port, only for clients that
 * present a certificate issued by our CA (mutual TLS, TLS 1.2 at least) and the scrape API key.
 * Plain HTTP, TLS without a client certificate and certificates from any other CA fail in the
 * handshake, before HTTP; a missing or wrong key gets 401.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, logger } = options;
  let server: Server;
  try {
    server = createServer(
      {
        ...mtlsServerOptions(options.tls),
        // A client that connects and never finishes the handshake is dropped quickly.
        handshakeTimeout: 10_000,
        // Longer than any scrape interval: Prometheus keeps its connection between scrapes.
        keepAliveTimeout: 65_000,
        headersTimeout: 10_000,
        requestTimeout: 30_000,
      },
      (req, res) => {
        // The handshake already refused anyone else; this only guards against a misconfiguration.
        if (!(req.socket as TLSSocket).authorized) return json(res, 403, { error: 'forbidden', message: 'client certificate required' });
        const bearer = bearerToken(req.headers);
        if (bearer === undefined || !secretsEqual(bearer, options.token)) {
          res.setHeader('www-authenticate', 'Bearer realm="metrics"');
          return json(res, 401, { error: 'unauthorized', message: bearer === undefined ? 'API key required (Authorization: Bearer)' : 'wrong API key' });
        }
        const path = (req.url ?? '').split('?')[0];
        if (req.method !== 'GET' || path !== '/metrics') {
          return json(res, 404, { error: 'not_found', message: `no route for ${req.method} ${path} (only GET /metrics)` });
        }
        registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
            res.end(text);
          },
          (err: unknown) => {
            logger?.error({ err }, 'metrics: collecting failed');
            json(res, 500, { error: 'internal', message: 'collecting metrics failed' });
          },
        );
      },
    );
  } catch (err) {
    // Unparsable PEM, a key that does not match the certificate, ...
    const { ca, cert, key } = options.tls;
    throw new Error(
      `metrics server: cannot use its TLS files (TLS_CA_FILE=${ca}, TLS_CERT_FILE=${cert}, TLS_KEY_FILE=${key}): ${(err as Error).message}`,
    );
  }

  // Handshakes that failed (no client certificate, plain HTTP, old TLS, ...). A certificate from
  // another CA passes the handshake and is then cut by Node without an event.
  server.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
    const fields = { code: err.code, reason: err.message.trim(), remote: socket.remoteAddress };
    // A client hanging up mid-handshake is no refusal of ours.
    if (err.code === 'ECONNRESET') logger?.debug(fields, 'metrics: TLS client went away during the handshake');
    else logger?.warn(fields, 'metrics: TLS client refused');
  });
  // Every socket, handshaking or not, so that close() can end them all.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => reject(new Error(`metrics server: cannot listen on ${options.host}:${options.port} (METRICS_HOST, METRICS_PORT): ${err.message}`));
    server.once('error', fail);
    server.listen(options.port, options.host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        const cut = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, CLOSE_GRACE_MS);
        cut.unref();
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      })),
  };
}
