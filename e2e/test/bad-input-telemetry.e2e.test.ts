import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { grpcCredentials, otlpGrpcExport } from './support/grpc.js';
import { getTrace, tag } from './support/jaeger.js';
import { identityOf, otlpAuth, secureFetch } from './support/secure.js';
import { eventually, secret } from './support/stack.js';

/**
 * The bad-input matrix of the telemetry ports (docs/bad-input.md), against the running native
 * stack: each bad request is refused with a 4xx (or its gRPC status), by the right client with the
 * right key where the key is not the point, and the collector stays healthy after each one.
 */

const HEALTH = 'http://127.0.0.1:13133/';
const collectorHealthy = () =>
  eventually('the collector healthy', 30_000, async () => ((await fetch(HEALTH, { signal: AbortSignal.timeout(2000) })).ok ? true : undefined));

interface Port {
  readonly name: string;
  readonly url: string;
  readonly as: Parameters<typeof identityOf>[0];
  readonly key: string;
  /** The body limit the collector enforces there (max_request_body_size). */
  readonly maxBytes: number;
  /** An empty request of the right kind, in OTLP/JSON. */
  readonly empty: string;
}

const MIB = 1024 * 1024;
const PORTS: Port[] = [
  { name: 'OTLP/HTTP :4318', url: 'https://127.0.0.1:4318/v1/traces', as: 'shop', key: 'shop', maxBytes: 4 * MIB, empty: '{"resourceSpans":[]}' },
  { name: 'internal OTLP/HTTP :4319', url: 'https://127.0.0.1:4319/v1/metrics', as: 'jaeger', key: 'jaeger', maxBytes: 4 * MIB, empty: '{"resourceMetrics":[]}' },
  { name: 'browser OTLP/HTTP :4320', url: 'https://127.0.0.1:4320/v1/traces', as: 'shop', key: 'storefront', maxBytes: MIB, empty: '{"resourceSpans":[]}' },
];

interface Case {
  readonly wrong: string;
  readonly body: (p: Port) => string | Buffer;
  readonly type: string;
  readonly auth?: (p: Port) => Record<string, string>;
  readonly status: number;
  /** What the answer says. */
  readonly says: RegExp;
}

const CASES: Case[] = [
  // The collector answers a JSON request's error as a JSON google.rpc.Status: code 3, INVALID_ARGUMENT.
  { wrong: 'malformed JSON', body: () => '{"resourceSpans":', type: 'application/json', status: 400, says: /"code":\s*3/ },
  { wrong: 'JSON of the wrong shape (a trace id of 3 characters, a number for a name)', body: () => '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz","spanId":"01"}]}]}],"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":5}]}]}]}', type: 'application/json', status: 400, says: /"code":\s*3/ },
  { wrong: 'invalid protobuf', body: () => Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), type: 'application/x-protobuf', status: 400, says: /./ },
  { wrong: 'a body over max_request_body_size', body: (p) => `${p.empty.slice(0, -1)},"pad":"${'x'.repeat(p.maxBytes)}"}`, type: 'application/json', status: 400, says: /too large/ },
  { wrong: 'content-type text/plain', body: (p) => p.empty, type: 'text/plain', status: 415, says: /unsupported media type/ },
  { wrong: 'no API key', body: (p) => p.empty, type: 'application/json', auth: () => ({}), status: 401, says: /authorization/ },
  { wrong: 'a wrong API key', body: (p) => p.empty, type: 'application/json', auth: () => ({ authorization: 'Bearer not-the-key-0123456789abcdef' }), status: 401, says: /./ },
  { wrong: "another port's key", body: (p) => p.empty, type: 'application/json', auth: (p) => otlpAuth(p.key === 'shop' ? 'storefront' : 'shop'), status: 401, says: /./ },
];

describe('bad input on the collector’s OTLP/HTTP ports', () => {
  for (const port of PORTS) {
    for (const c of CASES) {
      it(`${port.name}: ${c.wrong} → ${c.status}`, async () => {
        const res = await secureFetch(
          port.url,
          { method: 'POST', headers: { 'content-type': c.type, ...(c.auth ?? ((p: Port) => otlpAuth(p.key)))(port) }, body: c.body(port) },
          port.as,
        );
        const text = await res.text();
        assert.equal(res.status, c.status, text.slice(0, 300));
        assert.match(text, c.says);
        await collectorHealthy();
      });
    }
    it(`${port.name}: the same client with an empty, valid request → 200 (the rows above are refused for their input)`, async () => {
      const res = await secureFetch(port.url, { method: 'POST', headers: { 'content-type': 'application/json', ...otlpAuth(port.key) }, body: port.empty }, port.as);
      assert.equal(res.status, 200, await res.text());
    });
  }
});

/** One unary OTLP gRPC Export with these bytes, as the shop (its client certificate). */
function grpcExport(body: Buffer, metadata: Record<string, string>): Promise<{ code: number; details: string }> {
  const { ca, cert, key } = identityOf('shop');
  return otlpGrpcExport('127.0.0.1:4317', grpcCredentials.tls(ca, key, cert), metadata, undefined, body);
}

describe('bad input on the collector’s OTLP gRPC port :4317', () => {
  const key = () => ({ authorization: `Bearer ${secret('otlp_token_shop')}` });
  const cases = [
    { wrong: 'invalid protobuf', body: () => Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), md: key, code: grpc.status.INTERNAL, alt: grpc.status.INVALID_ARGUMENT },
    { wrong: 'a message over max_recv_msg_size_mib (4 MiB)', body: () => Buffer.alloc(5 * MIB, 0), md: key, code: grpc.status.RESOURCE_EXHAUSTED, alt: grpc.status.RESOURCE_EXHAUSTED },
    { wrong: 'no API key', body: () => Buffer.alloc(0), md: () => ({}), code: grpc.status.UNAUTHENTICATED, alt: grpc.status.UNAUTHENTICATED },
    { wrong: 'a wrong API key', body: () => Buffer.alloc(0), md: () => ({ authorization: 'Bearer not-the-key-0123456789abcdef' }), code: grpc.status.UNAUTHENTICATED, alt: grpc.status.UNAUTHENTICATED },
  ];
  for (const c of cases) {
    it(`${c.wrong} → ${grpc.status[c.code]}`, async () => {
      const r = await grpcExport(c.body(), c.md());
      assert.ok(r.code === c.code || r.code === c.alt, `${grpc.status[r.code]}: ${r.details}`);
      await collectorHealthy();
    });
  }
  it('the same client, an empty valid request → OK', async () => {
    assert.deepEqual(await grpcExport(Buffer.alloc(0), key()), { code: grpc.status.OK, details: 'OK' });
  });
});

/**
 * A span whose attribute is enormous (3 MiB, under the body limit) is taken, and the collector and
 * Jaeger stay up: the span reaches Jaeger with that attribute cut to 8 KiB (transform/bound's
 * truncate_all), beside the span sent with it. Whole, it made its batch too big for Jaeger (4 MiB
 * a message): the span, and every other span of that batch, was lost.
 */
describe('a span with an enormous attribute', () => {
  it('reaches Jaeger cut to 8 KiB, and the span beside it arrives too', async (t) => {
    const traceId = randomBytes(16).toString('hex');
    const now = BigInt(Date.now()) * 1_000_000n;
    const str = (k: string, v: string) => ({ key: k, value: { stringValue: v } });
    const span = (name: string, attributes: unknown[]) => ({
      traceId,
      spanId: randomBytes(8).toString('hex'),
      name,
      kind: 2,
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 1_000_000n),
      // An error: the tail sampling keeps it (the error policy), so Jaeger shows what became of it.
      status: { code: 2, message: 'bad-input e2e' },
      attributes,
    });
    const body = {
      resourceSpans: [{
        resource: { attributes: [str('service.name', 'bad-input-e2e')] },
        scopeSpans: [{ scope: { name: 'bad-input-e2e' }, spans: [span('enormous', [str('blob', 'x'.repeat(3 * MIB))]), span('beside', [str('note', 'small')])] }],
      }],
    };
    const res = await secureFetch('https://127.0.0.1:4318/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json', ...otlpAuth('shop') }, body: JSON.stringify(body) }, 'shop');
    assert.equal(res.status, 200, (await res.text()).slice(0, 200));
    await collectorHealthy();
    // Kept traces reach Jaeger decision_wait (20 s) after their first span, plus the batch.
    let seen = 'nothing';
    const trace = await eventually('both spans in Jaeger', 120_000, async () => {
      const found = await getTrace(traceId);
      seen = found ? found.spans.map((s) => s.operationName).join(', ') : 'nothing';
      return found && found.spans.length === 2 ? found : undefined;
    }).catch((err: Error) => assert.fail(`${err.message}; Jaeger has: ${seen}`));
    const blob = tag(trace.spans.find((s) => s.operationName === 'enormous')!, 'blob');
    t.diagnostic(`the enormous attribute in Jaeger: ${typeof blob === 'string' ? `${blob.length} characters` : String(blob)}`);
    assert.equal(typeof blob, 'string');
    assert.ok((blob as string).length <= 8192, `cut to 8 KiB, not ${(blob as string).length} characters`);
    await collectorHealthy();
  });
});

/**
 * A slow-loris client on a TLS telemetry port: after the handshake, the headers trickle a byte
 * every 500 ms and never end. The server must close the connection by its header timeout (the
 * collector's read_header_timeout, which its OTLP receiver turns off unless set; the services'
 * /metrics: Node's headersTimeout, looked at every 30 s), not hold it as long as the client likes.
 */
function tlsSlowLoris(port: number, as: Parameters<typeof identityOf>[0], giveUpMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ...identityOf(as), rejectUnauthorized: true });
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`port ${port} kept a slow-loris connection open for ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on('error', () => {}); // a reset is a close too
    socket.on('data', () => {}); // a 408 before the close is fine
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve(Date.now() - started);
    });
    socket.on('secureConnect', () => {
      socket.write('GET /metrics HTTP/1.1\r\nHost: localhost\r\n');
      timer = setInterval(() => socket.write('x'), 500);
    });
  });
}

describe('slow-loris clients on the telemetry ports are cut off', { concurrency: true }, () => {
  const ports = [
    // The collector's HTTP receivers: read_header_timeout 10 s (collector/config.yaml).
    ...([4318, 4319, 4320] as const).map((port) => ({ name: `collector OTLP/HTTP :${port}`, port, as: 'shop' as const, withinMs: 10_000 + 5_000 })),
    // The services' /metrics: headersTimeout 10 s, which Node checks every 30 s.
    ...([9481, 9482, 9483, 9484] as const).map((port) => ({ name: `service /metrics :${port}`, port, as: 'prometheus' as const, withinMs: 10_000 + 30_000 + 5_000 })),
  ];
  for (const p of ports) {
    it(`${p.name}: closed within ${p.withinMs / 1000} s`, async () => {
      const closedAfter = await tlsSlowLoris(p.port, p.as, p.withinMs);
      assert.ok(closedAfter < p.withinMs, `closed after ${closedAfter} ms`);
    });
  }
});

describe('bad input on the services’ /metrics ports', () => {
  const scrapeKey = () => ({ authorization: `Bearer ${secret('prometheus_scrape_token')}` });
  const cases = [
    { wrong: 'no API key', method: 'GET', path: '/metrics', headers: () => ({}), status: 401, says: /API key required/ },
    { wrong: 'a wrong API key', method: 'GET', path: '/metrics', headers: () => ({ authorization: 'Bearer nope-nope-nope-nope' }), status: 401, says: /wrong API key/ },
    { wrong: 'a POST', method: 'POST', path: '/metrics', headers: scrapeKey, status: 404, says: /only GET \/metrics/ },
    { wrong: 'another path', method: 'GET', path: '/admin/faults', headers: scrapeKey, status: 404, says: /only GET \/metrics/ },
    { wrong: 'a header of 20 KiB', method: 'GET', path: '/metrics', headers: () => ({ ...scrapeKey(), 'x-pad': 'x'.repeat(20 * 1024) }), status: 431, says: /^$/ },
  ];
  for (const port of [9481, 9482, 9483, 9484]) {
    for (const c of cases) {
      it(`:${port} ${c.wrong} → ${c.status}`, async () => {
        const res = await secureFetch(`https://127.0.0.1:${port}${c.path}`, { method: c.method, headers: c.headers() }, 'prometheus');
        const text = await res.text();
        assert.equal(res.status, c.status, text.slice(0, 200));
        if (c.status !== 431) assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
        assert.match(text, c.says);
        const ok = await secureFetch(`https://127.0.0.1:${port}/metrics`, { headers: scrapeKey() }, 'prometheus');
        assert.equal(ok.status, 200, 'still scraped');
        await ok.arrayBuffer();
      });
    }
  }
});
