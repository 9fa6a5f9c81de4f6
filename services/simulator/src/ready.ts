import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICE_NAMES } from '@orderscope/orders';
import type { SimulatorClients } from './clients.js';
import { SetupError } from './errors.js';

/** Waits until every service answers /health/ready, up to `timeoutMs`; SetupError names the others. */
export async function waitUntilReady(
  clients: SimulatorClients,
  timeoutMs: number,
  log: (line: string) => void = () => {},
  signal?: AbortSignal,
): Promise<void> {
  const until = performance.now() + timeoutMs;
  let notReady: string[] = [];
  for (let round = 0; ; round++) {
    const results = await Promise.all(
      SERVICE_NAMES.map(async (s) => {
        const client = clients.health[s];
        try {
          const res = await client.call('GET', '/health/ready');
          return res.status === 200 ? null : `${s} (${client.options.baseUrl}) answered ${res.status}`;
        } catch (err) {
          return `${s} (${client.options.baseUrl}): ${(err as Error).message}`;
        }
      }),
    );
    notReady = results.filter((r): r is string => r !== null);
    if (notReady.length === 0) return;
    if (performance.now() >= until || signal?.aborted) break;
    if (round === 0) log(`waiting for the services: ${notReady.join('; ')}`);
    await sleep(Math.min(1000, Math.max(0, until - performance.now())));
  }
  throw new SetupError(
    `services not ready: ${notReady.join('; ')} — start them (npm run local:up, or docker compose up) or set SHOP_URL, MES_API_URL, CRM_URL, MES_URL`,
  );
}
