import { createServer } from 'node:net';
import { SERVICE_NAMES, type DefinedService, type RunningService, type ServiceName } from '@orderscope/common';
import {
  createTestDatabase,
  TEST_ADMIN_TOKEN,
  TEST_INTERNAL_TOKEN,
  type TestDatabase,
} from '@orderscope/common/testkit';
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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface System {
  readonly db: TestDatabase;
  readonly services: Record<ServiceName, RunningService>;
  readonly url: Record<ServiceName, string>;
  /** fetch against a service, JSON in and out; the internal token unless `token` says otherwise. */
  request(
    service: ServiceName,
    method: string,
    path: string,
    opts?: { json?: unknown; body?: FormData; token?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  setFaults(service: ServiceName, faults: Record<string, number>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The four real services in this process, each on its own free port with its own DB role, wired
 * to each other by URL as in compose, against a fresh database on a real PostgreSQL.
 */
export async function startSystem(envByService: Partial<Record<ServiceName, Record<string, string>>> = {}): Promise<System> {
  const db = await createTestDatabase();
  const ports = Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (s) => [s, await freePort()])));
  const url = Object.fromEntries(SERVICE_NAMES.map((s) => [s, `http://127.0.0.1:${ports[s]}`])) as Record<ServiceName, string>;
  const wiring = { SHOP_URL: url.shop, MES_API_URL: url['mes-api'], CRM_URL: url.crm, MES_URL: url.mes };
  const services = {} as Record<ServiceName, RunningService>;
  try {
    for (const s of SERVICE_NAMES) {
      const config = db.config(s, { ...wiring, PORT: String(ports[s]), ...envByService[s] });
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

  return {
    db,
    services,
    url,
    request,
    setFaults: async (service, faults) => {
      const r = await request(service, 'PUT', '/admin/faults', { json: faults, token: TEST_ADMIN_TOKEN });
      if (r.status !== 200) throw new Error(`setting faults on ${service}: ${r.status} ${JSON.stringify(r.body)}`);
    },
    stop: async () => {
      await Promise.all(Object.values(services).map((r) => r.close()));
      await db.drop();
    },
  };
}
