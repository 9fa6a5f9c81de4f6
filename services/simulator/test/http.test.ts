import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AppError, ServiceClient, UpstreamError } from '@orderscope/platform';
import { FaultController } from '../src/faults.js';
import { SetupError } from '../src/errors.js';
import type { Scenario } from '../src/scenarios.js';

/** A fake service: answers from a script, records what it got. */
function fakeService() {
  const seen: Array<{ method: string; url: string; auth?: string; type?: string; body: string }> = [];
  let script: Array<(req: IncomingMessage) => [number, unknown]> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('latin1')));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, type: req.headers['content-type'], body });
      const [status, answer] = (script.shift() ?? (() => [200, {}] as [number, unknown]))(req);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  return {
    seen,
    server,
    reply: (...steps: Array<[number, unknown]>) => (script = steps.map((s) => () => s)),
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  };
}

describe('multipart uploads through ServiceClient', () => {
  const svc = fakeService();
  let client: ServiceClient;
  before(async () => {
    await new Promise<void>((r) => svc.server.listen(0, '127.0.0.1', r));
    client = new ServiceClient({ target: 'mes-api', baseUrl: svc.url(), timeoutMs: 1000, retries: 2, backoffMs: 5, token: 'secret-token' });
  });
  after(() => svc.server.close());

  const form = () => {
    const f = new FormData();
    f.set('customer_id', 'acme');
    f.set('model', new Blob([Buffer.from('solid x\nendsolid x\n')]), 'part.stl');
    return f;
  };

  it('sends the file and fields as multipart, retrying 5xx, counting attempts', async () => {
    svc.seen.length = 0;
    svc.reply([500, { error: 'injected_fault' }], [503, {}], [201, { order_id: 'o1', status: 'FILE_UPLOADED' }]);
    const res = await client.send<{ order_id: string }>('POST', '/b2b/orders', { form: form(), headers: { 'idempotency-key': 'key-12345678' } });
    assert.equal(res.status, 201);
    assert.equal(res.body.order_id, 'o1');
    assert.equal(res.attempts, 3);
    assert.equal(res.retryCount, 2);
    assert.equal(svc.seen.length, 3);
    const last = svc.seen[2]!;
    assert.match(last.type ?? '', /^multipart\/form-data; boundary=/);
    assert.match(last.body, /name="customer_id"\r\n\r\nacme/);
    assert.match(last.body, /name="model"; filename="part.stl"/);
    assert.equal(last.auth, 'Bearer secret-token');
  });

  it('gives up after its retries with an UpstreamError', async () => {
    svc.reply([500, {}], [500, {}], [500, {}]);
    await assert.rejects(
      client.send('POST', '/b2b/orders', { form: form() }),
      (err: unknown) => err instanceof UpstreamError && err.stats.attempts === 3 && err.status === 502,
    );
  });

  it('turns a 4xx into an AppError with its status and code, without retrying', async () => {
    svc.seen.length = 0;
    svc.reply([400, { error: 'bad_request', message: 'not an STL model' }]);
    await assert.rejects(
      client.send('POST', '/b2b/orders', { form: form() }),
      (err: unknown) => err instanceof AppError && err.status === 400 && err.code === 'bad_request' && /not an STL/.test(err.message),
    );
    assert.equal(svc.seen.length, 1);
  });
});

describe('FaultController', () => {
  const svc = fakeService();
  before(() => new Promise<void>((r) => svc.server.listen(0, '127.0.0.1', r)));
  after(() => svc.server.close());

  const scenario: Scenario = {
    name: 'test',
    description: 'test scenario',
    lookFor: 'test scenario',
    faults: { mes: { dropRate: 0.5 } },
    windows: [{ service: 'crm', settings: { hangRate: 1 }, startS: 0.05, durationS: 0.1, everyS: 10, continuousStartS: 0 }],
    expectsStuck: false,
  };
  const admin = () => {
    const c = new ServiceClient({ target: 'x', baseUrl: svc.url(), timeoutMs: 1000, retries: 0, backoffMs: 5, token: 'admin-token' });
    return { shop: c, 'mes-api': c, crm: c, mes: c };
  };

  it('resets and applies every service, runs the window, resets on exit', async () => {
    svc.seen.length = 0;
    const faults = new FaultController(admin(), scenario);
    await faults.apply();
    assert.equal(svc.seen.filter((r) => r.method === 'DELETE').length, 4);
    const puts = svc.seen.filter((r) => r.method === 'PUT').map((r) => JSON.parse(r.body));
    assert.equal(puts.length, 4);
    assert.ok(puts.some((p) => p.dropRate === 0.5));
    assert.ok(svc.seen.every((r) => r.url === '/admin/faults' && r.auth === 'Bearer admin-token'));

    faults.startWindows(false);
    await new Promise((r) => setTimeout(r, 250));
    const actions = faults.events.map((e) => `${e.service}:${e.action}`);
    assert.ok(actions.includes('crm:window-start') && actions.includes('crm:window-end'), actions.join(' '));
    const windowPuts = svc.seen.filter((r) => r.method === 'PUT').slice(4).map((r) => JSON.parse(r.body).hangRate);
    assert.deepEqual(windowPuts, [1, 0]);

    svc.seen.length = 0;
    await faults.reset();
    await faults.reset(); // idempotent
    assert.deepEqual(svc.seen.map((r) => r.method), ['DELETE', 'DELETE', 'DELETE', 'DELETE']);
  });

  it('needs an admin token for a scenario with faults; healthy runs without one', async () => {
    await assert.rejects(new FaultController(null, scenario).apply(), SetupError);
    const healthy: Scenario = { ...scenario, faults: {}, windows: [] };
    await new FaultController(null, healthy).apply();
  });

  it('is a setup error when a service refuses the settings', async () => {
    svc.reply([200, {}], [400, { error: 'bad_request', message: 'invalid request' }]);
    await assert.rejects(new FaultController(admin(), scenario).apply(), (err: unknown) => err instanceof SetupError && /invalid request/.test(err.message));
  });
});
