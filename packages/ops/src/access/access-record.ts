import type { IncomingHttpHeaders } from 'node:http';

/**
 * One request to a component behind the login, as the auditor reads it: who (the identity
 * oauth2-proxy established and passed on), what (method, path, and for Jaeger the trace or the
 * order asked for), the answer and how long it took. Never a token, a cookie or a body.
 */
export interface AccessRecord {
  readonly component: string;
  readonly time: string;
  readonly user: {
    readonly sub: string | null;
    readonly username: string | null;
    readonly email: string | null;
    readonly groups: readonly string[];
  };
  readonly method: string;
  readonly path: string;
  /** Jaeger: the trace read (/api/traces/<id>) and the order searched (tags order_id / order.id). */
  readonly trace_id?: string;
  readonly order_id?: string;
  readonly status: number;
  readonly duration_ms: number;
  readonly request_id: string | null;
  readonly client: string | null;
  /** The caller's client certificate (the log gateway's callers are machines: otel-collector, grafana). */
  readonly client_certificate?: string;
}

const one = (h: IncomingHttpHeaders, name: string): string | null => {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.length <= 512 ? s : null;
};

/** The user oauth2-proxy authenticated: it sets these headers itself and drops any a client sent. */
export function userOf(h: IncomingHttpHeaders): AccessRecord['user'] {
  const groups = one(h, 'x-forwarded-groups');
  return {
    sub: one(h, 'x-forwarded-user'),
    username: one(h, 'x-forwarded-preferred-username'),
    email: one(h, 'x-forwarded-email'),
    groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [],
  };
}

const TRACE_PATH = /^\/api\/traces\/([0-9a-fA-F]{1,32})(?:\/|$)/;
const ORDER_KEYS = ['order_id', 'order.id'];

/** What a Jaeger API request asked for: the trace it read, or the order_id its search named. */
export function jaegerSubject(url: URL): { trace_id?: string; order_id?: string } {
  const trace = TRACE_PATH.exec(url.pathname)?.[1];
  if (trace) return { trace_id: trace.toLowerCase() };
  const tags = url.searchParams.get('tags');
  if (url.pathname === '/api/traces' && tags) {
    try {
      const parsed = JSON.parse(tags) as unknown;
      if (parsed && typeof parsed === 'object') {
        for (const key of ORDER_KEYS) {
          const v = (parsed as Record<string, unknown>)[key];
          if (typeof v === 'string' && v.length <= 64) return { order_id: v };
        }
      }
    } catch {
      // not JSON: Jaeger answers it 400, and the record keeps the path
    }
  }
  return {};
}

export function accessRecord(args: {
  component: string;
  method: string;
  rawUrl: string;
  headers: IncomingHttpHeaders;
  status: number;
  startedAt: number;
  endedAt: number;
  clientCertificate?: string;
}): AccessRecord {
  const url = new URL(args.rawUrl, 'http://upstream');
  return {
    component: args.component,
    time: new Date(args.startedAt).toISOString(),
    user: userOf(args.headers),
    method: args.method,
    // The path and the query (a search's parameters), never a fragment; bounded.
    path: `${url.pathname}${url.search}`.slice(0, 2048),
    ...(args.component === 'jaeger' ? jaegerSubject(url) : {}),
    status: args.status,
    duration_ms: Math.round((args.endedAt - args.startedAt) * 10) / 10,
    request_id: one(args.headers, 'x-request-id'),
    client: one(args.headers, 'x-forwarded-for')?.split(',')[0]?.trim() ?? null,
    ...(args.clientCertificate ? { client_certificate: args.clientCertificate.slice(0, 256) } : {}),
  };
}
