import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICES, ServiceClient, type ServiceName } from '@orderscope/common';

/** The running native stack (`npm run local:up`), as the e2e tests reach it. */
export const root = resolve(import.meta.dirname, '../../../..');
const secretsDir = process.env.ORDERSCOPE_SECRETS_DIR ?? resolve(root, '.local/secrets');
export const secret = (name: string) => readFileSync(resolve(secretsDir, name), 'utf8').trim();
export const JAEGER_URL = process.env.JAEGER_QUERY_URL ?? 'http://127.0.0.1:16686';

const client = (target: ServiceName, token?: string) =>
  new ServiceClient({
    target,
    baseUrl: `http://127.0.0.1:${SERVICES[target].port}`,
    timeoutMs: 30_000,
    retries: 0,
    backoffMs: 100,
    ...(token ? { token } : {}),
  });

/** As a customer, an operator or the carrier would call: no retries, so the tests see every answer. */
export const publicApi = (target: ServiceName) => client(target);
export const internalApi = (target: ServiceName) => client(target, secret('internal_api_token'));
export const adminApi = (target: ServiceName) => client(target, secret('admin_token'));

export async function resetFaults(): Promise<void> {
  for (const s of Object.keys(SERVICES) as ServiceName[]) await adminApi(s).send('DELETE', '/admin/faults');
}

/** Polls `probe` until it returns a value, or fails after `deadlineMs` naming what it waited for. */
export async function eventually<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(250);
  }
  throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** A binary STL of `triangles` triangles spanning 0..10 mm on each axis. */
export function binaryStl(triangles: number): Buffer {
  const buf = Buffer.alloc(84 + triangles * 50);
  buf.writeUInt32LE(triangles, 80);
  for (let t = 0; t < triangles; t++) {
    [0, 0, 0, 10, 0, 0, 0, 10, 10].forEach((v, i) => buf.writeFloatLE(v, 84 + t * 50 + 12 + i * 4));
  }
  return buf;
}

export function modelForm(): FormData {
  const form = new FormData();
  form.append('model', new Blob([new Uint8Array(binaryStl(4))]), 'part.stl');
  return form;
}
