import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '@orderscope/orders';
import { TEST_ADMIN_TOKEN, TEST_INTERNAL_TOKEN } from '@orderscope/testkit';
import type { System } from './system.js';

/** A request body as bad input sends it: JSON, raw text or bytes of any type, or a multipart form. */
export type Body =
  | { readonly json: unknown }
  | { readonly raw: string | Buffer; readonly type?: string; readonly encoding?: string }
  | { readonly form: FormData };

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  readonly body: any;
  readonly headers: Headers;
}

/**
 * One request with exactly these bytes and headers (System.request always sends JSON). `token`:
 * the bearer (default none: a public caller).
 */
export async function send(
  sys: System,
  service: ServiceName,
  method: string,
  path: string,
  opts: { body?: Body; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | FormData | undefined;
  const b = opts.body;
  if (b && 'json' in b) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(b.json);
  } else if (b && 'raw' in b) {
    if (b.type !== undefined) headers['content-type'] = b.type;
    if (b.encoding !== undefined) headers['content-encoding'] = b.encoding;
    body = b.raw;
  } else if (b) body = b.form;
  // A raw string body would get text/plain from fetch: an explicit type (or none) is the point.
  const res = await fetch(`${sys.url[service]}${path}`, {
    method,
    headers,
    body: typeof body === 'string' ? Buffer.from(body) : body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, body: parsed, headers: res.headers };
}

async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true })).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Everything the services keep: each table of each service's schema (row count and a digest of
 * its rows), the model files on disk, and the fault settings in memory. Equal before and after a
 * refused request means it stored nothing, anywhere.
 */
export async function storedState(sys: System): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  const c = await sys.db.admin();
  try {
    const schemas = SERVICE_NAMES.map((s) => SERVICES[s].dbSchema);
    const tables = await c.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
      [schemas],
    );
    for (const { schema, name } of tables.rows) {
      const r = await c.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${schema}"."${name}" t`);
      state[`${schema}.${name}`] = r.rows[0];
    }
  } finally {
    await c.end();
  }
  for (const s of SERVICE_NAMES) {
    state[`files:${s}`] = await filesUnder(sys.services[s].runtime.config.uploads.dir);
    state[`faults:${s}`] = (await send(sys, s, 'GET', '/admin/faults', { token: TEST_ADMIN_TOKEN })).body;
  }
  state['storefront-faults'] = (await send(sys, 'shop', 'GET', '/storefront/faults')).body;
  return state;
}

/** The registry's status of an order. */
export async function registryStatus(sys: System, orderId: string): Promise<string> {
  return (await send(sys, 'crm', 'GET', `/registry/orders/${orderId}`, { token: TEST_INTERNAL_TOKEN })).body?.status;
}

/**
 * A slow-loris client: sends the start of a request, then one more byte every `everyMs`, never
 * finishing (`part`: the headers, or the body after complete headers). Resolves when the server
 * closes the connection, with how long that took and what it answered; rejects after `giveUpMs`.
 */
export function slowLoris(
  url: string,
  part: 'headers' | 'body',
  opts: { everyMs: number; giveUpMs: number },
): Promise<{ closedAfterMs: number; answer: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`the server kept a ${part} slow-loris connection open for ${opts.giveUpMs} ms`));
    }, opts.giveUpMs);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (answer += d));
    socket.on('error', () => {}); // a reset is a close too
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - started, answer });
    });
    socket.on('connect', () => {
      socket.write(`POST /orders HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n`);
      if (part === 'body') socket.write('Content-Length: 1000\r\n\r\n{"user_id":"');
      timer = setInterval(() => socket.write(part === 'headers' ? 'x' : 'a'), opts.everyMs);
    });
  });
}
