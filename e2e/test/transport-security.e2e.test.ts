import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { grpcCredentials, otlpGrpcExport } from './support/grpc.js';
import { attempt, caPem, type ClientIdentity, componentFetch, handshakeRefused, identityOf, otlpAuth, promQuery, refused, rogueIdentity, scrape, sumSeries } from './support/secure.js';
import { ALERTMANAGER_URL, eventually, JAEGER_URL, PROMETHEUS_URL, secret } from './support/stack.js';

/**
 * Every telemetry port of the running native stack, tried the ways an attacker or a misconfigured
 * client would: plain text, TLS without a client certificate, a certificate from another CA, a
 * missing or wrong API key — each refused — and the right client, accepted
 * (docs/transport-security.md).
 */

let rogue: Required<Pick<ClientIdentity, 'ca' | 'cert' | 'key'>>;
before(async () => {
  rogue = await rogueIdentity('prometheus');
});

interface HttpsPort {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  /** The client that belongs here, and its API key. */
  as: Parameters<typeof identityOf>[0];
  auth: () => Record<string, string>;
}

const scrapeAuth = () => ({ authorization: `Bearer ${secret('prometheus_scrape_token')}` });
const otlpBody = JSON.stringify({ resourceSpans: [] });
const HTTPS_PORTS: HttpsPort[] = [
  {
    name: 'collector OTLP/HTTP :4318',
    url: 'https://127.0.0.1:4318/v1/traces',
    method: 'POST',
    body: otlpBody,
    headers: { 'content-type': 'application/json' },
    as: 'shop',
    auth: () => otlpAuth('shop'),
  },
  {
    name: "collector's internal OTLP/HTTP :4319 (its own and Jaeger's telemetry)",
    url: 'https://127.0.0.1:4319/v1/metrics',
    method: 'POST',
    body: JSON.stringify({ resourceMetrics: [] }),
    headers: { 'content-type': 'application/json' },
    as: 'jaeger',
    auth: () => otlpAuth('jaeger'),
  },
  { name: "collector's own and Jaeger's metrics :8888", url: 'https://127.0.0.1:8888/metrics', method: 'GET', as: 'prometheus', auth: scrapeAuth },
  { name: 'span metrics :8889', url: 'https://127.0.0.1:8889/metrics', method: 'GET', as: 'prometheus', auth: scrapeAuth },
  ...([
    ['shop', 9481],
    ['mes-api', 9482],
    ['crm', 9483],
    ['mes', 9484],
  ] as const).map(([service, port]) => ({
    name: `${service} /metrics :${port}`,
    url: `https://127.0.0.1:${port}/metrics`,
    method: 'GET' as const,
    as: 'prometheus' as const,
    auth: scrapeAuth,
  })),
];

describe('transport security: HTTPS telemetry ports', () => {
  for (const port of HTTPS_PORTS) {
    it(`${port.name}: only the right client with the right key gets in`, async (t) => {
      const request = (headers: Record<string, string>) => ({
        method: port.method,
        headers: { ...port.headers, ...headers },
        ...(port.body ? { body: port.body } : {}),
      });
      const right = identityOf(port.as);
      const outcomes = {
        plaintext: await attempt(port.url.replace('https://', 'http://'), request(port.auth())),
        noClientCertificate: await attempt(port.url, request(port.auth()), { ca: caPem() }),
        otherCa: await attempt(port.url, request(port.auth()), rogue),
        missingKey: await attempt(port.url, request({}), right),
        wrongKey: await attempt(port.url, request({ authorization: 'Bearer not-the-key-0123456789abcdef' }), right),
        right: await attempt(port.url, request(port.auth()), right),
      };
      const context = JSON.stringify(outcomes);
      t.diagnostic(context);
      assert.ok(refused(outcomes.plaintext), `plain text must be refused: ${context}`);
      assert.ok(handshakeRefused(outcomes.noClientCertificate), `TLS without a client certificate must fail: ${context}`);
      assert.ok(handshakeRefused(outcomes.otherCa), `a certificate from another CA must fail: ${context}`);
      assert.equal(outcomes.missingKey, 'status 401', `a missing API key must get 401: ${context}`);
      assert.equal(outcomes.wrongKey, 'status 401', `a wrong API key must get 401: ${context}`);
      assert.equal(outcomes.right, 'status 200', `the right client must get in: ${context}`);
    });
  }

  it("keys do not cross: a service's key cannot write the pipeline's own telemetry, nor Jaeger's key traces", async () => {
    const post = (url: string, as: 'shop' | 'jaeger', key: string, body: string) =>
      attempt(url, { method: 'POST', headers: { 'content-type': 'application/json', ...otlpAuth(key) }, body }, identityOf(as));
    assert.equal(await post('https://127.0.0.1:4319/v1/metrics', 'shop', 'shop', JSON.stringify({ resourceMetrics: [] })), 'status 401');
    assert.equal(await post('https://127.0.0.1:4318/v1/traces', 'jaeger', 'jaeger', otlpBody), 'status 401');
    // The same clients with their own keys get in.
    assert.equal(await post('https://127.0.0.1:4318/v1/traces', 'shop', 'shop', otlpBody), 'status 200');
  });

  it('the collector counts the OTLP/HTTP requests it refused for their API key', async () => {
    const refusedSoFar = async () =>
      sumSeries(await scrape('https://127.0.0.1:8888/metrics'), 'http_server_request_duration_seconds_count', /http_response_status_code="401".*job="otelcol".*server_port="4318"/ /* labels come sorted */);
    const before = await refusedSoFar();
    for (let i = 0; i < 3; i++) {
      assert.equal(await attempt('https://127.0.0.1:4318/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpBody }, identityOf('shop')), 'status 401');
    }
    // The collector pushes its own metrics every 5 s.
    await eventually('the collector to count 3 more refused OTLP/HTTP requests', 30_000, async () =>
      (await refusedSoFar()) >= before + 3 ? true : undefined,
    );
  });
});

describe('transport security: refused handshakes, counted', () => {
  // Go's TLS servers report a refused handshake only in their log; the collector and Jaeger push
  // their logs to the collector, whose count connector turns those lines into a counter.
  const refusedHandshakes = async (job: string, component: string) =>
    sumSeries(
      await scrape('https://127.0.0.1:8888/metrics'),
      'otelcol_tls_handshakes_refused_total',
      new RegExp(`job="${job}".*otelcol_component_id="${component.replace('/', '\\/')}"`),
    );

  for (const [job, component, url] of [
    ['otelcol', 'otlp', 'https://127.0.0.1:4318/v1/traces'],
    ['otelcol', 'prometheus/spans', 'https://127.0.0.1:8889/metrics'],
    ['jaeger', 'jaeger_query', `${JAEGER_URL}/api/services`],
  ] as const) {
    it(`${job} counts the handshakes its ${component} listener refused: plain text, no certificate, another CA`, async () => {
      const before = await refusedHandshakes(job, component);
      assert.ok(refused(await attempt(url.replace('https://', 'http://'), {})));
      // (Jaeger's own port wants a client certificate too: people come through the login.)
      assert.ok(handshakeRefused(await attempt(url, {}, { ca: caPem() })));
      assert.ok(handshakeRefused(await attempt(url, {}, rogue)));
      const expected = 3;
      await eventually(`${job} to count ${expected} more refused handshakes on ${component}`, 30_000, async () =>
        (await refusedHandshakes(job, component)) >= before + expected ? true : undefined,
      );
    });
  }
});

interface GrpcPort {
  name: string;
  target: string;
  as: Parameters<typeof identityOf>[0];
  right: () => Record<string, string>;
  wrong: Record<string, string>;
  job: string;
  /** Where it counts calls it refused as UNAUTHENTICATED (the collector and Jaeger embed different gRPC instrumentation versions). */
  unauthenticated: { metric: string; labels: RegExp };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const GRPC_PORTS: GrpcPort[] = [
  {
    name: 'collector OTLP/gRPC :4317',
    target: '127.0.0.1:4317',
    as: 'crm',
    right: () => otlpAuth('crm'),
    wrong: { authorization: 'Bearer not-the-key-0123456789abcdef' },
    job: 'otelcol',
    unauthenticated: { metric: 'rpc_server_call_duration_seconds_count', labels: /job="otelcol".*rpc_response_status_code="UNAUTHENTICATED"/ },
  },
  {
    name: "Jaeger's OTLP/gRPC :14317 (the collector's only)",
    target: '127.0.0.1:14317',
    as: 'otel-collector',
    right: () => ({ authorization: basic('otel-collector', secret('jaeger_otlp_password')) }),
    wrong: { authorization: basic('otel-collector', 'not-the-password') },
    job: 'jaeger',
    unauthenticated: { metric: 'rpc_server_duration_milliseconds_count', labels: /job="jaeger".*rpc_grpc_status_code="16"/ },
  },
];

describe('transport security: gRPC telemetry ports', () => {
  for (const port of GRPC_PORTS) {
    it(`${port.name}: only the right client with the right credentials gets in, and refusals are counted`, async (t) => {
      const unauthenticated = async () =>
        sumSeries(await scrape('https://127.0.0.1:8888/metrics'), port.unauthenticated.metric, port.unauthenticated.labels);
      const before = await unauthenticated();
      const right = identityOf(port.as);
      const outcomes = {
        plaintext: await otlpGrpcExport(port.target, grpcCredentials.plaintext(), port.right()),
        noClientCertificate: await otlpGrpcExport(port.target, grpcCredentials.tls(caPem()), port.right()),
        otherCa: await otlpGrpcExport(port.target, grpcCredentials.tls(caPem(), rogue.key, rogue.cert), port.right()),
        missingKey: await otlpGrpcExport(port.target, grpcCredentials.tls(right.ca, right.key, right.cert)),
        wrongKey: await otlpGrpcExport(port.target, grpcCredentials.tls(right.ca, right.key, right.cert), port.wrong),
        right: await otlpGrpcExport(port.target, grpcCredentials.tls(right.ca, right.key, right.cert), port.right()),
      };
      const context = JSON.stringify(outcomes);
      t.diagnostic(`gRPC status codes: ${JSON.stringify(Object.fromEntries(Object.entries(outcomes).map(([k, v]) => [k, v.code])))}`);
      // 14 UNAVAILABLE: no connection could be made (the handshake was refused).
      assert.equal(outcomes.plaintext.code, 14, `plain text must be refused: ${context}`);
      assert.equal(outcomes.noClientCertificate.code, 14, `TLS without a client certificate must fail: ${context}`);
      assert.equal(outcomes.otherCa.code, 14, `a certificate from another CA must fail: ${context}`);
      // 16 UNAUTHENTICATED: connected, but the credentials were refused.
      assert.equal(outcomes.missingKey.code, 16, `missing credentials must be refused: ${context}`);
      assert.equal(outcomes.wrongKey.code, 16, `wrong credentials must be refused: ${context}`);
      assert.equal(outcomes.right.code, 0, `the right client must get in: ${context}`);
      await eventually(`${port.job} to count 2 more UNAUTHENTICATED calls`, 30_000, async () =>
        (await unauthenticated()) >= before + 2 ? true : undefined,
      );
    });
  }
});

describe('transport security: Prometheus, Jaeger query, retention', () => {
  it('Prometheus scrapes every target over HTTPS, and all are up', async () => {
    const targets = await eventually('every Prometheus target to be scraped and up', 60_000, async () => {
      const res = await componentFetch(`${PROMETHEUS_URL}/api/v1/targets?state=active`);
      const body = (await res.json()) as { data: { activeTargets: Array<{ scrapeUrl: string; health: string; labels: Record<string, string>; lastError: string }> } };
      const all = body.data.activeTargets;
      return all.length >= 7 && all.every((t) => t.health === 'up') ? all : undefined;
    });
    assert.deepEqual(
      targets.filter((t) => !t.scrapeUrl.startsWith('https://')).map((t) => t.scrapeUrl),
      [],
      'every scrape is HTTPS',
    );
    const jobs = new Set(targets.map((t) => t.labels.job));
    for (const job of ['otelcol', 'otelcol-spanmetrics', 'services', 'prometheus']) assert.ok(jobs.has(job), `job ${job} is scraped`);
    // Jaeger's own metrics arrive through the collector (pushed over OTLP): they are in Prometheus.
    const jaegerSeries = await eventually('Jaeger metrics in Prometheus', 30_000, async () => {
      const r = await promQuery('count({job="jaeger", __name__=~"otelcol_process_uptime.*"})');
      return r.length ? r : undefined;
    });
    assert.ok(Number(jaegerSeries[0]!.value[1]) >= 1);
  });

  it('Prometheus and the Jaeger UI serve only TLS, with TLS 1.2 at least', async () => {
    for (const url of [`${PROMETHEUS_URL.replace('https://', 'http://')}/-/ready`, `${JAEGER_URL.replace('https://', 'http://')}/api/services`]) {
      assert.ok(refused(await attempt(url, {})), `${url} must refuse plain HTTP`);
    }
    for (const url of [`${PROMETHEUS_URL}/-/ready`, `${ALERTMANAGER_URL}/-/ready`, `${JAEGER_URL}/api/services`]) {
      assert.equal(await attempt(url, {}, identityOf('grafana')), 'status 200', `${url} answers over TLS`);
      // OpenSSL 3 offers TLS 1.1 only at security level 0: without it the client would give up on
      // its own and this check could not fail. The refusal must be the server's alert.
      const tls11 = await attempt(url, {}, { ca: caPem(), maxVersion: 'TLSv1.1', minVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
      assert.match(tls11, /^error ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION/, `${url} must refuse TLS 1.1 (the server's alert): ${tls11}`);
    }
  });

  it('the retention settings are in effect in the running Jaeger and Prometheus', async () => {
    const flags = (await (await componentFetch(`${PROMETHEUS_URL}/api/v1/status/flags`)).json()) as { data: Record<string, string> };
    assert.equal(flags.data['storage.tsdb.retention.time'], process.env.PROMETHEUS_RETENTION ?? '15d');
    assert.match(flags.data['storage.tsdb.retention.size'] ?? '', /^2Gi?B$/);
    const runtime = (await (await componentFetch(`${PROMETHEUS_URL}/api/v1/status/runtimeinfo`)).json()) as { data: { storageRetention: string } };
    assert.equal(runtime.data.storageRetention, `${process.env.PROMETHEUS_RETENTION ?? '15d'} or 2GiB`);

    // Jaeger's running configuration, on its loopback-only health port (durations in nanoseconds).
    const config = (await (await fetch('http://127.0.0.1:13134/config')).json()) as {
      extensions: { jaeger_storage: { backends: { traces: { badger: { ttl: { spans: number }; ephemeral: boolean } } } } };
    };
    const badger = config.extensions.jaeger_storage.backends.traces.badger;
    const hours = (ttl: string) => {
      const m = /^(\d+)h$/.exec(ttl);
      assert.ok(m, `JAEGER_TRACE_TTL in whole hours for this check: ${ttl}`);
      return Number(m[1]);
    };
    assert.equal(badger.ttl.spans / 3.6e12, hours(process.env.JAEGER_TRACE_TTL ?? '168h'), 'span TTL in hours');
    assert.equal(badger.ephemeral, false, 'traces persist on disk');
  });
});
