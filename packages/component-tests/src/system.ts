import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@orderscope/orders';
import { type DefinedService, type RunningService } from '@orderscope/service-kit';
import { componentFiles, ensureCertificates } from '@orderscope/ops';
import { createTestDatabase, TEST_ADMIN_TOKEN, TEST_INTERNAL_TOKEN, type TestDatabase } from '@orderscope/testkit';
import { crmService } from '@orderscope/crm';
import { mesService } from '@orderscope/mes';
import { mesApiService } from '@orderscope/mes-api';
import { shopService } from '@orderscope/shop';

const DEFINITIONS: Record<ServiceName, DefinedService> = {
  shop: shopService,
  'mes-api': mesApiService,
  crm: crmService,
  mes: mesService,
};

/** `n` distinct free ports: every listener is held open until all are chosen, so none repeats. */
async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => createServer());
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/**
 * One demo CA and the services' and Prometheus's certificates per test process, in a temporary
 * directory (`componentFiles(dir, name)` finds them), removed when the process exits.
 */
let certificates: Promise<string> | undefined;
export function testCertificates(): Promise<string> {
  return (certificates ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orderscope-test-certs-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await ensureCertificates(dir, { components: [...SERVICE_NAMES, 'prometheus'] });
    return dir;
  })());
}

/** The API key the services' /metrics ask for in these tests. */
export const SCRAPE_TOKEN = 'component-test-scrape-token-0123456789';

/** GET over mutual TLS, as `client` (a component of the certificates directory), no connection reuse. */
export async function mtlsGet(url: string, client = 'prometheus'): Promise<{ status: number; body: string }> {
  const files = componentFiles(await testCertificates(), client);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, {
      ca: readFileSync(files.ca),
      cert: readFileSync(files.clientCert),
      key: readFileSync(files.clientKey),
      agent: false,
      timeout: 10_000,
      headers: { authorization: `Bearer ${SCRAPE_TOKEN}` },
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.end();
  });
}

export interface System {
  readonly db: TestDatabase;
  /** The demo CA and every service's and Prometheus's certificates (see testCertificates). */
  readonly certsDir: string;
  readonly services: Record<ServiceName, RunningService>;
  readonly url: Record<ServiceName, string>;
  /** An operator of the MES (made through its admin API at start): their id and key. */
  readonly operator: { readonly id: string; readonly key: string };
  /** fetch against a service, JSON in and out; the internal token unless `token` says otherwise. */
  request(
    service: ServiceName,
    method: string,
    path: string,
    opts?: { json?: unknown; body?: FormData; token?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  setFaults(service: ServiceName, faults: Record<string, number>): Promise<void>;
  /** The service's /metrics as Prometheus scrapes it (HTTPS, Prometheus's client certificate). */
  scrape(service: ServiceName): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

/**
 * The four real services in this process, each on its own free port with its own DB role, wired
 * to each other by URL as in compose, against a fresh database on a real PostgreSQL. Each serves
 * /metrics on another free port over mutual TLS with real certificates from a test CA.
 */
export async function startSystem(envByService: Partial<Record<ServiceName, Record<string, string>>> = {}): Promise<System> {
  const certsDir = await testCertificates();
  const db = await createTestDatabase();
  const free = await freePorts(SERVICE_NAMES.length * 2);
  const ports = Object.fromEntries(SERVICE_NAMES.map((s, i) => [s, free[i]!]));
  const metricsPorts = Object.fromEntries(SERVICE_NAMES.map((s, i) => [s, free[SERVICE_NAMES.length + i]!]));
  const url = Object.fromEntries(SERVICE_NAMES.map((s) => [s, `http://127.0.0.1:${ports[s]}`])) as Record<ServiceName, string>;
  const wiring = { SHOP_URL: url.shop, MES_API_URL: url['mes-api'], CRM_URL: url.crm, MES_URL: url.mes };
  const services = {} as Record<ServiceName, RunningService>;
  try {
    for (const s of SERVICE_NAMES) {
      const files = componentFiles(certsDir, s);
      const metrics = {
        METRICS_PORT: String(metricsPorts[s]),
        TLS_CA_FILE: files.ca,
        TLS_CERT_FILE: files.serverCert,
        TLS_KEY_FILE: files.serverKey,
        METRICS_TOKEN: SCRAPE_TOKEN,
      };
      const config = db.config(s, { ...wiring, PORT: String(ports[s]), ...metrics, ...envByService[s] });
      services[s] = await DEFINITIONS[s].start(config);
    }
  } catch (err) {
    await Promise.all(Object.values(services).map((r) => r.close()));
    await db.drop();
    throw err;
  }

  const request: System['request'] = async (service, method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? TEST_INTERNAL_TOKEN : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | FormData | undefined = opts.body;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(new URL(path, url[service]), { method, headers, body, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };

  // The operators' steps need an operator's key: one, made as an admin would.
  const made = await request('mes', 'POST', '/admin/operators', { json: { name: 'component tests' }, token: TEST_ADMIN_TOKEN });
  if (made.status !== 201) throw new Error(`creating an operator: ${made.status} ${JSON.stringify(made.body)}`);
  const operator = { id: made.body.operator_id as string, key: made.body.operator_key as string };

  return {
    db,
    certsDir,
    services,
    url,
    operator,
    request,
    setFaults: async (service, faults) => {
      const r = await request(service, 'PUT', '/admin/faults', { json: faults, token: TEST_ADMIN_TOKEN });
      if (r.status !== 200) throw new Error(`setting faults on ${service}: ${r.status} ${JSON.stringify(r.body)}`);
    },
    scrape: async (service) => {
      const metricsUrl = services[service].metricsUrl;
      if (!metricsUrl) throw new Error(`${service} runs without a metrics server (METRICS_PORT=0)`);
      return mtlsGet(metricsUrl);
    },
    stop: async () => {
      await Promise.all(Object.values(services).map((r) => r.close()));
      await db.drop();
    },
  };
}
