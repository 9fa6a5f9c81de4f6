import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { startMetricsServer, type MetricsServer } from '@orderscope/platform';
import { componentFiles, createCertificateAuthority, ensureCertificates, type IssuedPair } from '@orderscope/ops';
import { createApp, createRuntime, loadServiceConfig, type ServiceRuntime } from '@orderscope/service-kit';
import { eventually } from '@orderscope/testkit';

/** The scrape API key these servers ask for; every request shows it unless a test says otherwise. */
const TOKEN = 'test-scrape-token-0123456789abcdef';

type Outcome = { status: number; body: string; headers: Record<string, unknown> } | { error: string };

/** One request, no connection reuse; its answer, or how it failed (error code and message). */
function fetchOutcome(url: string, options: RequestOptions & { plain?: boolean } = {}): Promise<Outcome> {
  const { plain, ...rest } = options;
  return new Promise((resolve) => {
    const settle = (outcome: Outcome) => resolve(outcome);
    const req = (plain ? httpRequest : httpsRequest)(url, { agent: false, timeout: 5000, headers: { authorization: `Bearer ${TOKEN}` }, ...rest });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'TEST_TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => settle({ error: `${err.code} ${err.message}` }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err: NodeJS.ErrnoException) => settle({ error: `${err.code} ${err.message}` }));
      res.on('end', () => settle({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.end();
  });
}


/** The value of the sample `name` whose labels include `labels`, from Prometheus's text format. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

function ok(outcome: Outcome): { status: number; body: string; headers: Record<string, unknown> } {
  if ('error' in outcome) assert.fail(`request failed: ${outcome.error}`);
  return outcome;
}

describe('the /metrics server: mutual TLS, OpenMetrics text format', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metrics-test-'));
  const files = (component: string) => componentFiles(dir, component);
  let runtime: ServiceRuntime;
  let api: Server;
  let apiUrl = '';
  let metrics: MetricsServer;
  let intruder: IssuedPair & { caCert: string };

  /** TLS client options: Prometheus's certificate and our CA unless overridden. */
  const prometheus = (over: RequestOptions = {}): RequestOptions => ({
    ca: readFileSync(files('prometheus').ca),
    cert: readFileSync(files('prometheus').clientCert),
    key: readFileSync(files('prometheus').clientKey),
    ...over,
  });
  /** The shop's metrics server on a free port, its TLS files overridable. */
  const serverOptions = (tls: Partial<{ ca: string; cert: string; key: string }> = {}) => {
    const shop = files('shop');
    return { token: TOKEN, port: 0, host: '127.0.0.1', tls: { ca: shop.ca, cert: shop.serverCert, key: shop.serverKey, ...tls }, registry: runtime.metrics.registry };
  };
  const scrape = async () => {
    const r = ok(await fetchOutcome(metrics.url, prometheus()));
    assert.equal(r.status, 200);
    return r;
  };

  before(async () => {
    await ensureCertificates(dir, { components: ['shop', 'crm', 'prometheus'] });
    const other = await createCertificateAuthority('not our CA');
    intruder = { ...(await other.issue({ commonName: 'prometheus', usage: 'client' })), caCert: other.cert };

    const config = loadServiceConfig('shop', {
      DB_PASSWORD: 'pw',
      INTERNAL_API_TOKEN: 'i'.repeat(20),
      ADMIN_TOKEN: 'a'.repeat(20),
      USER_ID_HMAC_KEY: 'k'.repeat(20),
      LOG_LEVEL: 'silent',
      METRICS_PORT: '0',
    });
    runtime = createRuntime(config);
    const routes = express.Router();
    routes.get('/widgets/:id', (req, res) => {
      res.json({ id: req.params.id });
    });
    routes.get('/boom/:id', () => {
      throw new Error('broken on purpose');
    });
    routes.get('/hang/:id', () => undefined); // never answers
    // A mounted router whose route fails: the error leaves the router (which restores baseUrl).
    const shelf = express.Router();
    shelf.get('/items/:itemId', (_req, _res, next) => next(new Error('broken on purpose')));
    routes.use('/shelf', shelf);
    api = createApp(runtime, routes).listen(0, '127.0.0.1');
    await new Promise((resolve) => api.once('listening', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

    metrics = await startMetricsServer(serverOptions());
  });

  after(async () => {
    api?.closeAllConnections();
    await new Promise((resolve) => api?.close(resolve));
    await metrics?.close();
    await runtime?.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves Prometheus (our CA's client certificate) the process metrics and the request histogram by route pattern", async () => {
    for (const path of ['/widgets/42', '/widgets/43', '/boom/7', '/no/such/thing/99', '/shelf/items/5']) {
      const r = ok(await fetchOutcome(apiUrl + path, { plain: true }));
      assert.ok(r.status > 0);
    }
    const body = await eventually('the requests counted on /metrics', 5000, async () => {
      const r = await scrape();
      // OpenMetrics: the format that carries exemplars (Prometheus 3 asks for it first).
      assert.match(String(r.headers['content-type']), /^application\/openmetrics-text; version=1\.0\.0/);
      assert.match(r.body, /# EOF\n?$/);
      assert.equal(sample(r.body, 'http_server_request_duration_seconds_count', { route: '/widgets/:id' }), 2, r.body);
      assert.equal(sample(r.body, 'http_server_request_duration_seconds_count', { route: '/boom/:id' }), 1);
      assert.equal(sample(r.body, 'http_server_request_duration_seconds_count', { route: 'unmatched' }), 1);
      // Every response has ended: nothing is in flight.
      assert.equal(sample(r.body, 'http_server_requests_in_flight'), 0);
      return r.body;
    }, 25);
    assert.ok(sample(body, 'process_cpu_user_seconds_total')! >= 0, 'default process metrics, no prefix');
    assert.ok(sample(body, 'nodejs_eventloop_lag_seconds') !== undefined);
    assert.equal(sample(body, 'http_server_request_duration_seconds_count', { method: 'GET', route: '/widgets/:id', status_code: '200' }), 2);
    assert.equal(sample(body, 'http_server_request_duration_seconds_count', { method: 'GET', route: '/boom/:id', status_code: '500' }), 1);
    assert.equal(sample(body, 'http_server_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' }), 1);
    assert.equal(
      sample(body, 'http_server_request_duration_seconds_bucket', { method: 'GET', route: '/widgets/:id', status_code: '200', le: '+Inf' }),
      2,
    );
    // Route labels are patterns: no raw URL, no ids.
    const routes = new Set([...body.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    assert.equal(sample(body, 'http_server_request_duration_seconds_count', { route: '/shelf/items/:itemId', status_code: '500' }), 1);
    assert.deepEqual([...routes].sort(), ['/boom/:id', '/shelf/items/:itemId', '/widgets/:id', 'unmatched']);
    // No job/instance/service labels from the process: Prometheus adds job and instance.
    assert.doesNotMatch(body, /\b(job|instance|service)="/);
  });

  it('counts a request in flight while it runs, and one its client gave up on as 499', async () => {
    const req = httpRequest(`${apiUrl}/hang/1`, { agent: false });
    req.on('error', () => undefined);
    req.end();
    await eventually('one request in flight', 5000, async () => {
      assert.equal(sample((await scrape()).body, 'http_server_requests_in_flight'), 1);
      return true;
    }, 25);
    req.destroy();
    const body = await eventually('no request in flight', 5000, async () => {
      const { body } = await scrape();
      assert.equal(sample(body, 'http_server_requests_in_flight'), 0);
      return body;
    }, 25);
    assert.equal(sample(body, 'http_server_request_duration_seconds_count', { method: 'GET', route: '/hang/:id', status_code: '499' }), 1);
  });

  it('answers 404 JSON to anything but GET /metrics', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/metrics/extra'],
      ['POST', '/metrics'],
    ] as const) {
      const r = ok(await fetchOutcome(new URL(path, metrics.url).href, prometheus({ method })));
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.match(String(r.headers['content-type']), /^application\/json/);
      assert.equal(JSON.parse(r.body).error, 'not_found');
    }
  });

  it('answers 401 JSON to the right certificate with a missing or wrong API key', async () => {
    for (const [what, headers] of [
      ['missing', {}],
      ['wrong', { authorization: 'Bearer not-the-scrape-token-0123456789' }],
      ['not a bearer', { authorization: `Basic ${TOKEN}` }],
    ] as const) {
      const r = ok(await fetchOutcome(metrics.url, prometheus({ headers })));
      assert.equal(r.status, 401, `${what} key`);
      assert.equal(JSON.parse(r.body).error, 'unauthorized', `${what} key`);
      assert.doesNotMatch(r.body, /process_cpu/, `${what} key: no metrics`);
    }
  });

  it('refuses plain HTTP: no HTTP answer at all', async () => {
    const r = await fetchOutcome(metrics.url.replace('https:', 'http:'), { plain: true });
    assert.ok('error' in r, `plain HTTP got an answer: ${JSON.stringify(r)}`);
    // The server hangs up on what is not a TLS handshake.
    assert.match(r.error, /^ECONNRESET /);
    // ... and is still fine for the right client.
    await scrape();
  });

  // Each refusal is checked under both versions, and the same client with Prometheus's own
  // certificate gets in (so it is the certificate that is refused, not the client).
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    const pinned = { minVersion: version, maxVersion: version } as const;

    it(`lets Prometheus's certificate in (${version})`, async () => {
      assert.equal(ok(await fetchOutcome(metrics.url, prometheus(pinned))).status, 200);
    });

    it(`refuses TLS without a client certificate (${version})`, async () => {
      const r = await fetchOutcome(metrics.url, { ca: readFileSync(files('prometheus').ca), ...pinned });
      assert.ok('error' in r, `no client certificate got an answer: ${JSON.stringify(r)}`);
      // The server's alert: TLS 1.3 has "certificate required", TLS 1.2 a handshake failure.
      assert.match(r.error, version === 'TLSv1.3' ? /ALERT_CERTIFICATE_REQUIRED/ : /EPROTO .*alert handshake failure/);
    });

    it(`refuses a client certificate from another CA (${version})`, async () => {
      const r = await fetchOutcome(metrics.url, prometheus({ cert: intruder.cert, key: intruder.key, ...pinned }));
      assert.ok('error' in r, `a foreign client certificate got an answer: ${JSON.stringify(r)}`);
      // Node verifies the client's chain after the handshake and hangs up before any HTTP.
      assert.match(r.error, /^ECONNRESET |ALERT_UNKNOWN_CA|ALERT_BAD_CERTIFICATE/);
    });

    it(`refuses our CA's server certificate used as a client certificate (${version})`, async () => {
      const crm = files('crm');
      const r = await fetchOutcome(metrics.url, prometheus({ cert: readFileSync(crm.serverCert), key: readFileSync(crm.serverKey), ...pinned }));
      assert.ok('error' in r, `a certificate without clientAuth usage got an answer: ${JSON.stringify(r)}`);
      assert.match(r.error, /^ECONNRESET |ALERT_UNSUPPORTED_CERTIFICATE|ALERT_BAD_CERTIFICATE/);
    });

    it(`is refused by a client that does not trust our CA: the client verifies the server (${version})`, async () => {
      const r = await fetchOutcome(metrics.url, prometheus({ ca: intruder.caCert, ...pinned }));
      assert.ok('error' in r);
      assert.match(r.error, /^SELF_SIGNED_CERT_IN_CHAIN /);
    });
  }

  it('refuses TLS below 1.2', async () => {
    const r = await fetchOutcome(
      metrics.url,
      // The client allows TLS 1.0/1.1 (and the weak settings they need); the server must not.
      prometheus({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }),
    );
    assert.ok('error' in r);
    assert.match(r.error, /alert protocol version/);
  });

  it('fails clearly when its TLS files do not fit together', async () => {
    await assert.rejects(
      startMetricsServer(serverOptions({ key: files('crm').serverKey })),
      /metrics server: cannot use its TLS files \(TLS_CA_FILE=.*TLS_KEY_FILE=.*crm.*\): .*(mismatch|key)/i,
    );
    await assert.rejects(
      startMetricsServer(serverOptions({ key: join(dir, 'missing.key') })),
      /missing\.key/,
    );
  });

  it('close() stops listening and does not wait for an idle keep-alive connection', async () => {
    const own = await startMetricsServer(serverOptions());
    const agent = new HttpsAgent({ keepAlive: true });
    try {
      const r = ok(await fetchOutcome(own.url, prometheus({ agent })));
      assert.equal(r.status, 200);
      const started = Date.now();
      await own.close();
      assert.ok(Date.now() - started < 1500, `close took ${Date.now() - started} ms`);
      const after = await fetchOutcome(own.url, prometheus());
      assert.ok('error' in after && after.error.startsWith('ECONNREFUSED '), JSON.stringify(after));
    } finally {
      agent.destroy();
      await own.close();
    }
  });

  it('close() cuts a client stuck in the handshake after a short grace, not after the handshake timeout', async () => {
    const own = await startMetricsServer(serverOptions());
    const stuck = connect(own.port, '127.0.0.1');
    const cut = new Promise((resolve) => stuck.once('close', resolve));
    stuck.on('error', () => undefined);
    await new Promise((resolve) => stuck.once('connect', resolve));
    const started = Date.now();
    await own.close();
    await cut;
    const took = Date.now() - started;
    assert.ok(took < 5000, `close took ${took} ms`);
  });
});
