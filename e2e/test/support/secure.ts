import { readFileSync } from 'node:fs';
import { componentFiles, createCertificateAuthority, type Component } from '@orderscope/ops';
import { Agent, fetch as undiciFetch, type RequestInit, type Response } from 'undici';
import { bearerOf, humanFetch, type DemoUser } from './login.js';
import { caPem, certsDir, PROMETHEUS_URL, secret, VIA_LOGIN } from './stack.js';

export { sumSeries } from './prom-text.js';

export { caPem, certsDir };

/**
 * The native stack speaks TLS everywhere (docs/transport-security.md): the tests reach it as one
 * of its components would, with that component's client certificate and API key.
 */

export interface ClientIdentity {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Test hooks: what TLS the client offers. */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  ciphers?: string;
}

/** `component`'s client certificate and key, and our CA to verify the server with. */
export function identityOf(component: Component): Required<Pick<ClientIdentity, 'ca' | 'cert' | 'key'>> {
  const files = componentFiles(certsDir, component);
  return { ca: readFileSync(files.ca), cert: readFileSync(files.clientCert), key: readFileSync(files.clientKey) };
}

/** One connection pool per component, holding its client certificate. */
const agents = new Map<Component, Agent>();
function agentOf(component: Component): Agent {
  let agent = agents.get(component);
  if (!agent) {
    agent = new Agent({ connect: { ...identityOf(component), rejectUnauthorized: true }, connections: 8 });
    agents.set(component, agent);
  }
  return agent;
}

/** fetch over TLS as `as`: with that component's client certificate, verifying the server with our CA. */
export function secureFetch(url: string, init: RequestInit = {}, as: Component = 'prometheus'): Promise<Response> {
  return undiciFetch(url, { signal: AbortSignal.timeout(10_000), ...init, dispatcher: agentOf(as) });
}

/**
 * A request to Jaeger, Prometheus or Alertmanager (their URLs in stack.ts): as a machine (Grafana's
 * client certificate), or through the login as ORDERSCOPE_VIA_LOGIN's user with a bearer token.
 */
export async function componentFetch(url: string, init: RequestInit = {}): Promise<Response> {
  if (!VIA_LOGIN) return secureFetch(url, init, 'grafana');
  const headers = { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${await bearerOf(VIA_LOGIN as DemoUser)}` };
  return humanFetch(url, { ...init, headers });
}

/** Bearer header with a service's collector API key (otlp_token_<schema>). */
export const otlpAuth = (client = 'shop') => ({ authorization: `Bearer ${secret(`otlp_token_${client}`)}` });

/** A Prometheus text-format scrape of one of the stack's metric endpoints, as Prometheus does it. */
export async function scrape(url: string): Promise<string> {
  const res = await secureFetch(url, { headers: { authorization: `Bearer ${secret('prometheus_scrape_token')}` } });
  if (!res.ok) throw new Error(`scrape ${url}: ${res.status} ${await res.text()}`);
  return res.text();
}

/** A Prometheus instant query (over its HTTPS API, as Grafana would ask). */
export async function promQuery<T = Array<{ metric: Record<string, string>; value: [number, string] }>>(promql: string): Promise<T> {
  const res = await componentFetch(`${PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(promql)}`);
  if (!res.ok) throw new Error(`prometheus ${promql}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: { result: T } }).data.result;
}

/** What one HTTP attempt ended with: "status 200", or "error <code>" when the connection failed. */
export async function attempt(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  identity?: ClientIdentity,
): Promise<string> {
  try {
    const res = await undiciFetch(url, {
      ...init,
      signal: AbortSignal.timeout(5000),
      ...(identity ? { dispatcher: new Agent({ connect: { ...identity, rejectUnauthorized: true } }) } : {}),
    });
    await res.arrayBuffer();
    return `status ${res.status}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return `error ${cause?.code ?? cause?.message ?? (err as Error).message}`;
  }
}

export const refused = (outcome: string) => !outcome.startsWith('status 2');
export const handshakeRefused = (outcome: string) => outcome.startsWith('error');

/** A client certificate from a CA of its own, with the same name as a real component's. */
export async function rogueIdentity(commonName: string): Promise<Required<Pick<ClientIdentity, 'ca' | 'cert' | 'key'>>> {
  const otherCa = await createCertificateAuthority('not the orderscope CA');
  const pair = await otherCa.issue({ commonName, usage: 'client' });
  return { ca: caPem(), cert: Buffer.from(pair.cert), key: Buffer.from(pair.key) };
}
