import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RETRIES_EXHAUSTED_HEADER, ServiceClient, UpstreamError } from '../src/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

/** A real HTTP server on loopback whose behaviour each test scripts per attempt. */
describe('ServiceClient against a real HTTP server', () => {
  let handler: Handler = () => undefined;
  let attempts = 0;
  let baseUrl = '';
  const server = createServer((req, res) => {
    attempts += 1;
    handler(req, res, attempts);
  });
  const client = (over: Partial<ConstructorParameters<typeof ServiceClient>[0]> = {}) =>
    new ServiceClient({ target: 'callee', baseUrl, timeoutMs: 300, retries: 3, backoffMs: 5, token: 'tkn', ...over });
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const reset = (h: Handler) => {
    attempts = 0;
    handler = h;
  };

  it('sends the bearer token and JSON, and reports a first-try success with no retries', async () => {
    reset((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c)).on('end', () => json(res, 200, { auth: req.headers.authorization, got: JSON.parse(body) }));
    });
    const r = await client().call<{ auth: string; got: unknown }>('POST', '/x', { json: { a: 1 } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { auth: 'Bearer tkn', got: { a: 1 } });
    assert.equal(r.attempts, 1);
    assert.equal(r.retryCount, 0);
    assert.equal(r.timedOutAttempts, 0);
  });

  it('retries 503s and a dropped connection, then succeeds, counting the retries', async () => {
    reset((req, res, n) => {
      if (n === 1) json(res, 503, { error: 'busy' });
      else if (n === 2) req.socket.destroy();
      else json(res, 200, { ok: true });
    });
    const r = await client().call('GET', '/x');
    assert.equal(r.status, 200);
    assert.equal(r.attempts, 3);
    assert.equal(r.retryCount, 2);
  });

  it('gives up after its retries with a 502 that names the callee and the attempts', async () => {
    reset((_req, res) => json(res, 500, { error: 'boom' }));
    const err = await client({ retries: 2 }).call('GET', '/x').catch((e: unknown) => e);
    assert.ok(err instanceof UpstreamError);
    assert.equal(err.status, 502);
    assert.equal(err.code, 'upstream_unavailable');
    assert.equal(err.stats.attempts, 3);
    assert.equal(attempts, 3);
    assert.deepEqual(err.toJSON().details, {
      upstream: 'callee',
      attempts: 3,
      retry_count: 2,
      timed_out: false,
      timeout_ms: 300,
      upstream_status: 500,
    });
  });

  it('times out an attempt that gets no answer, retries, and ends with a 504 marked timed out', async () => {
    reset(() => undefined); // never answers
    const started = performance.now();
    const err = await client({ timeoutMs: 100, retries: 1 }).call('GET', '/x').catch((e: unknown) => e);
    assert.ok(err instanceof UpstreamError);
    assert.equal(err.status, 504);
    assert.equal(err.code, 'upstream_timeout');
    assert.equal(err.stats.timedOutAttempts, 2);
    assert.equal(err.stats.retryCount, 1);
    assert.ok(performance.now() - started >= 200, 'both attempts waited their budget');
    assert.equal(attempts, 2);
  });

  it('does not retry a 4xx and hands it back as it is', async () => {
    reset((_req, res) => json(res, 409, { error: 'out_of_order', message: 'no' }));
    const r = await client().call('PUT', '/x');
    assert.equal(r.status, 409);
    assert.equal(attempts, 1);
    const err = await client().send('PUT', '/x').catch((e: unknown) => e);
    assert.equal((err as { status: number }).status, 409);
    assert.equal((err as { code: string }).code, 'out_of_order');
  });

  it('does not retry on top of a callee that already exhausted its own retries', async () => {
    reset((_req, res) => json(res, 504, { error: 'upstream_timeout', message: 'deeper' }, { [RETRIES_EXHAUSTED_HEADER]: '1' }));
    const err = await client().send('GET', '/x').catch((e: unknown) => e);
    assert.equal(attempts, 1);
    assert.equal((err as { status: number }).status, 504);
    assert.equal((err as { code: string }).code, 'upstream_timeout');
  });
});
