/**
 * What the logging system holds and costs on this machine, measured side by side in one run on
 * the native stack (`npm run local:up` first). The same records, shaped like the services' request
 * records, go (1) through the whole pipeline — OTLP/HTTP to the collector as a service sends them,
 * masking, the persistent queue, the log gateway — and (2) straight into the store through the log
 * gateway (JSON lines), each timed from the first send until the store counts every one. Prints
 * records/s of each and their ratio, the store's memory while ingesting, and its disk per million
 * records.   npm run bench:logs [-- RECORDS]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { logsQuery } from '../support/logs.js';
import { otlpAuth, scrape, secureFetch, sumSeries } from '../support/secure.js';
import { eventually, LOGS_URL } from '../support/stack.js';

const RECORDS = Number(process.argv[2] ?? 100_000);
const BATCH = 500;
const SENDERS = 4;
const mark = randomBytes(3).toString('hex');

/** One record as a service writes it for a request (its fields, not its wire format). */
function record(i: number) {
  const orderId = randomUUID();
  return {
    msg: 'request completed',
    time: Date.now(),
    order_id: orderId,
    trace_id: randomBytes(16).toString('hex'),
    span_id: randomBytes(8).toString('hex'),
    'req.method': 'POST',
    'req.path': `/orders/${orderId}/submit`,
    'res.status': i % 50 === 0 ? 503 : 200,
    responseTime: i % 300,
  };
}

const otlpBatch = (service: string, from: number, n: number) => {
  const str = (v: string | number) => (typeof v === 'number' ? { intValue: String(v) } : { stringValue: v });
  return JSON.stringify({
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: str(service) }] },
      scopeLogs: [{
        logRecords: Array.from({ length: n }, (_, k) => {
          const { msg, time, trace_id, span_id, ...fields } = record(from + k);
          const status = fields['res.status'];
          return {
            timeUnixNano: String(BigInt(time) * 1_000_000n),
            severityNumber: status >= 500 ? 17 : 9,
            severityText: status >= 500 ? 'error' : 'info',
            body: str(msg),
            traceId: trace_id,
            spanId: span_id,
            attributes: Object.entries(fields).map(([key, v]) => ({ key, value: str(v) })),
          };
        }),
      }],
    }],
  });
};

const jsonLines = (service: string, from: number, n: number) =>
  Array.from({ length: n }, (_, k) => {
    const { msg, time, ...fields } = record(from + k);
    return JSON.stringify({ _msg: msg, _time: new Date(time).toISOString(), 'service.name': service, ...fields });
  }).join('\n');

async function post(url: string, body: string, headers: Record<string, string>, as: 'shop' | 'otel-collector'): Promise<number> {
  for (let refused = 0; ; refused++) {
    const res = await secureFetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(60_000) }, as);
    await res.arrayBuffer();
    if (res.ok) return refused;
    if (refused > 200) throw new Error(`${url}: ${res.status} after ${refused} refusals`);
    await sleep(200); // refused (the memory limiter's 503/429): back off and send again, as the SDK does
  }
}

const storeMetrics = async () => scrape(`${LOGS_URL}/metrics`);
const stored = async (service: string) => Number((await logsQuery(`service.name:=${JSON.stringify(service)} | count() n`))[0]?.n ?? 0);

async function side(label: string, service: string, send: (from: number, n: number) => Promise<number>) {
  const before = await storeMetrics();
  const diskBefore = sumSeries(before, 'vl_data_size_bytes');
  let rssPeak = sumSeries(before, 'process_resident_memory_bytes');
  const watch = setInterval(() => void storeMetrics().then((m) => (rssPeak = Math.max(rssPeak, sumSeries(m, 'process_resident_memory_bytes'))), () => undefined), 1000);
  const started = performance.now();
  const batches = Array.from({ length: Math.ceil(RECORDS / BATCH) }, (_, b) => b);
  let refusals = 0;
  await Promise.all(Array.from({ length: SENDERS }, async () => {
    for (let b = batches.shift(); b !== undefined; b = batches.shift()) refusals += await send(b * BATCH, Math.min(BATCH, RECORDS - b * BATCH));
  }));
  const sentS = (performance.now() - started) / 1000;
  await eventually(`${label}: all ${RECORDS} records in the store`, 600_000, async () => ((await stored(service)) >= RECORDS ? true : undefined), 500);
  const storedS = (performance.now() - started) / 1000;
  clearInterval(watch);
  // Settled on disk: the store's in-memory parts written out.
  await secureFetch(`${LOGS_URL}/internal/force_flush`, {}, 'otel-collector').then((r) => r.arrayBuffer());
  await sleep(2000);
  const after = await storeMetrics();
  return {
    label,
    perS: RECORDS / storedS,
    sentS,
    storedS,
    refusals,
    rssBeforeMiB: sumSeries(before, 'process_resident_memory_bytes') / 2 ** 20,
    rssPeakMiB: rssPeak / 2 ** 20,
    diskPerMillionMiB: ((sumSeries(after, 'vl_data_size_bytes') - diskBefore) / RECORDS) * 1e6 / 2 ** 20,
  };
}

const viaPipeline = await side('through the pipeline', `bench-pipeline-${mark}`, (from, n) =>
  post('https://127.0.0.1:4318/v1/logs', otlpBatch(`bench-pipeline-${mark}`, from, n), { 'content-type': 'application/json', ...otlpAuth('shop') }, 'shop'));
const direct = await side('straight into the store', `bench-store-${mark}`, (from, n) =>
  post(`${LOGS_URL}/insert/jsonline?_stream_fields=service.name`, jsonLines(`bench-store-${mark}`, from, n), { 'content-type': 'application/stream+json' }, 'otel-collector'));

for (const r of [viaPipeline, direct]) {
  console.log(
    `${r.label.padEnd(24)} ${RECORDS} records: ${r.perS.toFixed(0)} records/s end to end (sent in ${r.sentS.toFixed(1)} s, all stored after ${r.storedS.toFixed(1)} s, ${r.refusals} refused batches resent); ` +
      `store RSS ${r.rssBeforeMiB.toFixed(0)} → peak ${r.rssPeakMiB.toFixed(0)} MiB; disk ${r.diskPerMillionMiB.toFixed(1)} MiB per million records`,
  );
}
console.log(`the pipeline holds ${(viaPipeline.perS / direct.perS).toFixed(2)}× the store's own ingest rate on this machine`);
