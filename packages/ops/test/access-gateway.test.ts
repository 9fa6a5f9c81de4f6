import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { componentFiles, ensureCertificates } from '../src/index.js';
import { startAccessGateway } from '../src/access/access-gateway.js';

/**
 * The gateway between the login and a component, against a real HTTPS upstream that wants a
 * client certificate of the CA: it forwards over mTLS, drops the user's credentials, and writes one
 * JSON record per request with the identity the login passed on.
 */
describe('the access gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderscope-access-'));
  const socket = join(dir, 'jaeger.sock');
  const lines: string[] = [];
  let upstream: HttpsServer;
  let seen: Array<{ url: string; headers: Record<string, unknown>; peer: string | undefined }> = [];
  let gateway: { close: () => void } | undefined;

  before(async () => {
    await ensureCertificates(join(dir, 'certs'));
    const jaeger = componentFiles(join(dir, 'certs'), 'jaeger');
    const gw = componentFiles(join(dir, 'certs'), 'access-gateway');
    upstream = createHttpsServer(
      { ca: readFileSync(jaeger.ca), cert: readFileSync(jaeger.serverCert), key: readFileSync(jaeger.serverKey), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const cn = (req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN;
        const peer = Array.isArray(cn) ? cn[0] : cn;
        seen.push({ url: req.url ?? '', headers: req.headers, peer });
        res.writeHead(req.url?.startsWith('/missing') ? 404 : 200, { 'content-type': 'application/json' });
        res.end('{"data":[]}');
      },
    );
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(...String(chunk).trim().split('\n')), cb()) });
    gateway = await startAccessGateway({
      component: 'jaeger',
      listen: socket,
      upstream: `https://localhost:${(upstream.address() as AddressInfo).port}`,
      tls: { ca: gw.ca, cert: gw.clientCert, key: gw.clientKey },
      records: pino({ base: null, timestamp: false }, sink),
      logger: pino({ level: 'silent' }),
    });
  });
  after(() => {
    gateway?.close();
    upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest({ socketPath: socket, path, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });

  const identity = {
    'x-forwarded-user': '5b3c-sub',
    'x-forwarded-preferred-username': 'engineer',
    'x-forwarded-email': 'engineer@orderscope.test',
    'x-forwarded-groups': 'engineers',
    authorization: 'Bearer eyJ.token.here',
    cookie: '_orderscope_jaeger=sessionvalue',
  };

  it('forwards over mTLS with its own certificate, without the user’s token or cookie', async () => {
    seen = [];
    assert.equal(await get('/api/services', identity), 200);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.peer, 'access-gateway', 'the upstream saw the gateway’s client certificate');
    assert.equal(seen[0]!.headers.authorization, undefined);
    assert.equal(seen[0]!.headers.cookie, undefined);
  });

  it('answers its own health on the socket, without forwarding it or recording it', async () => {
    seen = [];
    lines.length = 0;
    assert.equal(await get('/-/access-gateway/health', {}), 200);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen.length, 0);
    assert.equal(lines.length, 0);
  });

  it('records who searched which order, and who read which trace, as JSON lines without credentials', async () => {
    lines.length = 0;
    const order = '3f0c1b2a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
    assert.equal(await get(`/api/traces?service=crm&tags=${encodeURIComponent(JSON.stringify({ order_id: order }))}`, identity), 200);
    assert.equal(await get('/missing/api/traces/abc', identity), 404);
    assert.equal(await get('/api/traces/00ca92918ce9543f7d006de28ece66fe', { ...identity, 'user-agent': '"}{"user":"forged"' }), 200);
    const deadline = Date.now() + 5000;
    while (lines.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const records = lines.map((l) => JSON.parse(l) as Record<string, any>);
    assert.equal(records.length, 3, lines.join('\n'));
    assert.equal(records[0]!.order_id, order);
    assert.deepEqual(records[0]!.user, { sub: '5b3c-sub', username: 'engineer', email: 'engineer@orderscope.test', groups: ['engineers'] });
    assert.equal(records[0]!.status, 200);
    assert.equal(records[0]!.component, 'jaeger');
    assert.equal(records[1]!.status, 404);
    assert.equal(records[2]!.trace_id, '00ca92918ce9543f7d006de28ece66fe');
    for (const l of lines) assert.ok(!/eyJ|sessionvalue|forged/.test(l), `no credential nor user agent in ${l}`);
  });
});
