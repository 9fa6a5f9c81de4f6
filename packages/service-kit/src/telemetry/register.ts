/**
 * `node --import @orderscope/service-kit/telemetry/register services/<name>/dist/src/main.js`: starts
 * the SDK before the service's modules load, so that http, express, pg and pino are instrumented
 * (ESM imports through import-in-the-middle's loader hook, CommonJS through require hooks).
 */
import { register } from 'node:module';
import { assertNodeVersion } from '@orderscope/platform/node-version';
import { createAddHookMessageChannel } from 'import-in-the-middle';
// Only light modules here: whatever this file imports is loaded before the SDK starts, and a
// library loaded before it (http, express, pg) is never instrumented.
import { startTelemetry } from '@orderscope/platform/telemetry/sdk';
import { SERVICE_NAMES } from '@orderscope/orders/topology';
import { ORDER_BAGGAGE_KEYS } from '@orderscope/orders/tracing/attributes';

assertNodeVersion('orderscope telemetry (--import @orderscope/service-kit/telemetry/register)');

const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

try {
  const sdk = startTelemetry({ serviceNames: SERVICE_NAMES, baggageAttributes: ORDER_BAGGAGE_KEYS });
  if (sdk) {
    const stop = () => void sdk.shutdown().catch(() => undefined);
    process.once('beforeExit', stop);
  }
} catch (err) {
  // No telemetry is better than no service: say so loudly and go on.
  console.error(JSON.stringify({ level: 50, msg: `telemetry not started: ${(err as Error).message}` }));
}
await waitForAllMessagesAcknowledged();
