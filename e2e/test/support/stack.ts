import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ServiceClient } from '@orderscope/platform';
import { OperatorsClient, SERVICES, type ServiceName } from '@orderscope/orders';
import { binaryStl, eventually, modelForm } from '@orderscope/testkit';

/** The running native stack (`npm run local:up`), as the e2e tests reach it. */
export const root = resolve(import.meta.dirname, '../../../..');
const runFile = promisify(execFile);
const secretsDir = process.env.ORDERSCOPE_SECRETS_DIR ?? resolve(root, '.local/secrets');
export const secret = (name: string) => readFileSync(resolve(secretsDir, name), 'utf8').trim();
/**
 * Where the tests reach Jaeger, Prometheus and Alertmanager: natively on their own ports, as a
 * machine (a client certificate); with ORDERSCOPE_VIA_LOGIN=<demo user> (compose, where only the
 * logins are published) through the login on the published ports, as that user (componentFetch).
 */
export const VIA_LOGIN = process.env.ORDERSCOPE_VIA_LOGIN;
export const JAEGER_URL = process.env.JAEGER_QUERY_URL ?? (VIA_LOGIN ? 'https://localhost:16686' : 'https://127.0.0.1:16687');
export const PROMETHEUS_URL = process.env.PROMETHEUS_URL ?? (VIA_LOGIN ? 'https://localhost:9090' : 'https://127.0.0.1:9091');
export const ALERTMANAGER_URL = process.env.ALERTMANAGER_URL ?? (VIA_LOGIN ? 'https://localhost:9093' : 'https://127.0.0.1:9095');
/** The log store: natively its mTLS door (the log gateway), in compose its login. */
export const LOGS_URL = process.env.LOGS_URL ?? (VIA_LOGIN ? 'https://localhost:9428' : 'https://127.0.0.1:9429');

/** The stack's TLS material (certs/, or compose's certs/compose/ when the tests point there). */
export const certsDir = process.env.ORDERSCOPE_CERTS_DIR ?? resolve(root, 'certs');
export const caPem = () => readFileSync(resolve(certsDir, 'ca.crt'));

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

/**
 * The MES as an operator calls it: with the key of an operator this test process made through the
 * MES's admin API (once, on first use), revoked when the process ends.
 */
let operator: Promise<{ id: string; key: string }> | undefined;
export async function operatorApi(): Promise<ServiceClient> {
  operator ??= (async () => {
    const admin = new OperatorsClient(adminApi('mes'));
    const made = await admin.create(`e2e (pid ${process.pid})`);
    // Revoked once the tests are done (beforeExit: the event loop may still run a request).
    process.once('beforeExit', () => void admin.revoke(made.operator_id).catch(() => undefined));
    return { id: made.operator_id, key: made.operator_key };
  })();
  return client('mes', (await operator).key);
}

export async function resetFaults(): Promise<void> {
  for (const s of Object.keys(SERVICES) as ServiceName[]) await adminApi(s).send('DELETE', '/admin/faults');
}

export { binaryStl, eventually, modelForm };

/** Stops a native-stack process that local:up started (by its pid file) and waits for its exit. */
export async function stopNative(name: ServiceName | 'otelcol' | 'jaeger' | 'victorialogs' | 'prometheus'): Promise<void> {
  const pid = Number(readFileSync(resolve(root, `.local/run/${name}.pid`), 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  await eventually(`${name} (pid ${pid}) to exit`, 30_000, async () => {
    try {
      process.kill(pid, 0);
      return undefined;
    } catch {
      return true;
    }
  });
}

/** Starts what is missing of the native stack (local:up is idempotent), with these settings on top of this process's environment (undefined: unset). */
export async function localUp(env: Record<string, string | undefined> = {}): Promise<void> {
  await runFile('npm', ['run', '-s', 'local:up'], { cwd: root, timeout: 300_000, env: { ...process.env, ...env } });
}

/** The collector's settings for a test: it is restarted with them (its queue survives on disk). */
export async function restartCollector(env: Record<string, string | undefined>): Promise<void> {
  await stopNative('otelcol');
  await localUp(env);
}

/** The collector restarted with its config's own defaults, whatever OTELCOL_* an earlier test set. */
export async function restartCollectorAsShipped(): Promise<void> {
  await restartCollector(Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('OTELCOL_')).map((k) => [k, undefined])));
}

/** The decision wait the collector runs with in these tests (OTELCOL_DECISION_WAIT, seconds). */
export const E2E_DECISION_WAIT = '5s';

/** The simulator's command line with the native stack's environment: `bash` and these, then its own arguments. */
export const SIMULATOR_ARGS: readonly string[] = [
  resolve(root, 'scripts/with-local-env.sh'), process.execPath, resolve(root, 'services/simulator/dist/src/main.js'),
];
