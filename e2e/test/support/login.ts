import { Agent, fetch as undiciFetch, type RequestInit, type Response } from 'undici';
import { caPem, secret } from './stack.js';

/** The identity provider and the login in front of the UIs, as people reach them (docs/access-control.md). */
export const KEYCLOAK_URL = process.env.KEYCLOAK_URL ?? 'https://localhost:8443';
export const REALM_URL = `${KEYCLOAK_URL}/realms/orderscope`;
/** Jaeger through the login (oauth2-proxy). */
export const JAEGER_LOGIN_URL = process.env.JAEGER_LOGIN_URL ?? 'https://localhost:16686';
/** The log store (VictoriaLogs, its UI vmui) through its login: people's door (jaeger/ui-config.json's links). */
export const LOGS_LOGIN_URL = process.env.LOGS_LOGIN_URL ?? 'https://localhost:9428';

export const DEMO_USERS = ['viewer', 'engineer', 'admin', 'outsider'] as const;
export type DemoUser = (typeof DEMO_USERS)[number];

/** A browser-like client: it trusts the stack's CA and has no client certificate. */
const agent = new Agent({ connect: { ca: caPem(), rejectUnauthorized: true } });
export const humanFetch = (url: string, init: RequestInit = {}): Promise<Response> =>
  undiciFetch(url, { signal: AbortSignal.timeout(15_000), redirect: 'manual', ...init, dispatcher: agent });

export const passwordOf = (user: DemoUser) => secret(`demo_password_${user}`);

/** Tokens for a demo user from the command-line client (password grant): what an engineer's script does. */
export async function tokensOf(user: DemoUser, password = passwordOf(user)): Promise<{ status: number; body: Record<string, string> }> {
  const res = await humanFetch(`${REALM_URL}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'orderscope-cli', username: user, password, scope: 'openid' }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

export async function accessTokenOf(user: DemoUser): Promise<string> {
  const { status, body } = await tokensOf(user);
  if (status !== 200 || !body.access_token) throw new Error(`no token for ${user}: ${status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** The claims of a JWT (read, not verified: the tests check what Keycloak put in it). */
export const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

const cached = new Map<DemoUser, { token: string; until: number }>();
/** A bearer for `user`, fetched again shortly before it expires (the CLI client's tokens last 60 s). */
export async function bearerOf(user: DemoUser): Promise<string> {
  const hit = cached.get(user);
  if (hit && hit.until > Date.now()) return hit.token;
  const token = await accessTokenOf(user);
  cached.set(user, { token, until: Number(claimsOf(token).exp) * 1000 - 15_000 });
  return token;
}

