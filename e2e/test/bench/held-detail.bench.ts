/**
 * What the collector's hold of the detail (tail_sampling/held, docs/collector-pipeline.md) costs
 * in memory, measured side by side in one run on the native stack (`npm run local:up` first):
 * the same orders through the collector with the hold off (OTELCOL_HOLD_WAIT=1s) and on (the
 * default 180 s), each time the collector's Go heap at its peak. Prints the ratio and the memory
 * per held order.   npm run bench:held-detail [-- ORDERS]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { manufactureAndDeliver, newB2cOrder, submit } from '../support/orders.js';
import { scrape, sumSeries } from '../support/secure.js';
import { E2E_DECISION_WAIT, eventually, resetFaults, restartCollector } from '../support/stack.js';

const ORDERS = Number(process.argv[2] ?? 60);
const METRICS = 'https://127.0.0.1:8888/metrics';
// The collector's own series (Jaeger pushes its metrics through the same endpoint).
const heap = async () => sumSeries(await scrape(METRICS), 'otelcol_process_runtime_heap_alloc_bytes', /job="otelcol"/);
/** Traces waiting in the collector's tail samplers (all three). */
const waiting = async () => sumSeries(await scrape(METRICS), 'otelcol_processor_tail_sampling_sampling_traces_on_memory', /job="otelcol"/);

async function run(label: string, holdWait: string): Promise<{ label: string; peakMiB: number; baseMiB: number; traces: number }> {
  await restartCollector({ OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT, OTELCOL_HOLD_WAIT: holdWait, OTELCOL_BASELINE_PERCENT: '10' });
  await eventually('the collector\'s own metrics', 60_000, async () => ((await heap()) > 0 ? true : undefined));
  await sleep(6000);
  const base = await heap();
  let peak = base;
  const watch = setInterval(() => void heap().then((h) => (peak = Math.max(peak, h)), () => undefined), 1000);
  const queue = Array.from({ length: ORDERS }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const id = await newB2cOrder();
        await submit(id);
        await manufactureAndDeliver(id);
      }
    }),
  );
  // Past the early decision (and two pushes of the collector's metrics), still inside the hold.
  await sleep(15_000);
  clearInterval(watch);
  peak = Math.max(peak, await heap());
  const traces = await waiting();
  return { label, peakMiB: peak / 2 ** 20, baseMiB: base / 2 ** 20, traces };
}

await resetFaults();
const off = await run('hold off (1 s)', '1s');
const on = await run('hold on (180 s)', '180s');
await restartCollector({ OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT });
for (const r of [off, on]) console.log(`${r.label.padEnd(16)} heap at start ${r.baseMiB.toFixed(1)} MiB, peak ${r.peakMiB.toFixed(1)} MiB, traces waiting at the end ${r.traces}`);
const extra = on.peakMiB - on.baseMiB - (off.peakMiB - off.baseMiB);
console.log(
  `${ORDERS} B2C orders (~200 spans each) held: peak heap ${(on.peakMiB / off.peakMiB).toFixed(2)}× the hold-off run; ` +
    `+${extra.toFixed(1)} MiB, ${((extra * 1024) / ORDERS).toFixed(0)} KiB per held order`,
);
