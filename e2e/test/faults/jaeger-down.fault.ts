import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { COLLECTOR_ENV, detailInJaeger, duringOutage, OUTAGE_MS } from '../support/faults.js';
import { scrape } from '../support/secure.js';
import { eventually, localUp, restartCollector, stopNative } from '../support/stack.js';

/** The collector's export queue toward Jaeger (spans waiting, on disk), from its own metrics. */
async function queuedForJaeger(): Promise<number> {
  const m = /^otelcol_exporter_queue_size\{[^}]*exporter="otlp_grpc\/jaeger"[^}]*\} (\d+)/m.exec(await scrape('https://127.0.0.1:8888/metrics'));
  return m ? Number(m[1]) : 0;
}

/**
 * Jaeger down for a minute while orders run, and the collector restarted in the middle of it
 * with the kept traces still queued: once Jaeger is back, every kept order is there, whole.
 * (Every order is kept here: the e2e collector keeps 100 % of the healthy ones.)
 */
describe(`Jaeger down for ${OUTAGE_MS / 1000} s, the collector restarted with its queue loaded`, () => {
  it('loses no kept trace', { timeout: OUTAGE_MS + 420_000 }, async (t) => {
    await restartCollector(COLLECTOR_ENV);
    const { report } = await duringOutage({
      orders: 12,
      concurrency: 4,
      injectAfterMs: 'before-run',
      inject: () => stopNative('jaeger'),
      whileDown: async () => {
        // Past the first decisions: the kept spans wait in the exporter's queue for Jaeger.
        await eventually('kept spans queued for Jaeger', OUTAGE_MS, async () => ((await queuedForJaeger()) > 0 ? true : undefined), 1000);
        await sleep(OUTAGE_MS / 3); // more of the run's orders decided and queued
        t.diagnostic(`queue toward Jaeger: ${await queuedForJaeger()} (its size metric) when the collector was restarted`);
        await restartCollector(COLLECTOR_ENV);
      },
      holdMs: OUTAGE_MS,
      untilRunEnds: true,
      heal: () => localUp(COLLECTOR_ENV),
    });
    assert.equal(report.summary.closed, report.summary.total, 'every order closed');
    const missing: string[] = [];
    for (const o of report.orders) {
      const id = o.order_id!;
      const found = await eventually(`order ${id} in Jaeger after the outage`, 120_000, async () => ((await detailInJaeger(id)) ? true : undefined), 2000).catch(() => false);
      if (!found) missing.push(id);
    }
    assert.deepEqual(missing, [], 'every kept order is in Jaeger with its detail');
  });
});
