import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { componentFiles, ensureCertificates } from '../src/index.js';

const CLI = fileURLToPath(new URL('../src/access/access-gateway-cli.js', import.meta.url));
const PROBE = fileURLToPath(new URL('../src/access/access-gateway-probe.js', import.meta.url));
const COMPONENTS = ['jaeger', 'prometheus', 'alertmanager', 'victorialogs'] as const;

interface Run {
  readonly code: number | null;
  readonly stderr: string;
}
const run = (file: string, env: NodeJS.ProcessEnv): Promise<Run> =>
  new Promise((resolve) => {
    const p = spawn(process.execPath, [file], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += String(d)));
    p.on('exit', (code) => resolve({ code, stderr }));
  });

/**
 * The real `orderscope-access-gateway` process, started as local:up and compose start it: one
 * process for the four components behind the login, each on its own socket, towards its own
 * upstream (a real HTTPS server wanting a client certificate of the CA, which answers its own
 * name), into its own access log; the records also over OTLP, each component under its own name.
 */
describe('one access gateway process for every component', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderscope-gateways-'));
  const socket = (c: string) => join(dir, `${c}.sock`);
  const upstreams = new Map<string, HttpsServer>();
  const seen: Array<{ upstream: string; authorization: string | undefined; peer: string | undefined }> = [];
  const otlpBodies: Buffer[] = [];
  let otlp: HttpsServer;
  let gateway: ChildProcess;
  let env: NodeJS.ProcessEnv;
  let gatewayStderr = '';

  before(async () => {
    await ensureCertificates(join(dir, 'certs'));
    const server = componentFiles(join(dir, 'certs'), 'jaeger');
    const gw = componentFiles(join(dir, 'certs'), 'access-gateway');
    const tls = { ca: readFileSync(server.ca), cert: readFileSync(server.serverCert), key: readFileSync(server.serverKey), requestCert: true, rejectUnauthorized: true };
    const listen = (s: HttpsServer) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
    const ports = new Map<string, number>();
    for (const c of COMPONENTS) {
      const s = createHttpsServer(tls, (req, res) => {
        const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN;
        seen.push({ upstream: c, authorization: req.headers.authorization, peer: Array.isArray(cn) ? cn[0] : cn });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ upstream: c }));
      });
      upstreams.set(c, s);
      ports.set(c, await listen(s));
    }
    otlp = createHttpsServer(tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        otlpBodies.push(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    const otlpPort = await listen(otlp);
    writeFileSync(join(dir, 'otlp_token'), 'a-token-of-at-least-16-chars');
    env = {
      PATH: process.env.PATH,
      ACCESS_COMPONENTS: COMPONENTS.map((c) => `${c}=${socket(c)}=https://localhost:${ports.get(c)}`).join(',\n  '),
      ACCESS_LOG_DIR: join(dir, 'log'),
      TLS_CA_FILE: gw.ca,
      TLS_CERT_FILE: gw.clientCert,
      TLS_KEY_FILE: gw.clientKey,
      ACCESS_OTLP_ENDPOINT: `https://localhost:${otlpPort}`,
      ACCESS_OTLP_TOKEN_FILE: join(dir, 'otlp_token'),
    };
    gateway = spawn(process.execPath, [CLI], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    gateway.stderr!.on('data', (d) => (gatewayStderr += String(d)));
    const deadline = Date.now() + 15_000;
    while (!COMPONENTS.every((c) => existsSync(socket(c)))) {
      assert.ok(gateway.exitCode === null && Date.now() < deadline, `the gateway did not open its sockets: ${gatewayStderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  after(() => {
    if (gateway?.exitCode === null) gateway.kill('SIGKILL');
    for (const s of upstreams.values()) s.close();
    otlp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (c: string, path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const headers = { 'x-forwarded-user': `sub-${c}`, 'x-forwarded-preferred-username': 'engineer', 'x-forwarded-groups': 'engineers', authorization: 'Bearer eyJ.token' };
      const req = httpRequest({ socketPath: socket(c), path, headers }, (res) => {
        let body = '';
        res.on('data', (d) => (body += String(d)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  const records = (c: string) =>
    readFileSync(join(dir, 'log', `${c}-access.1.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);

  for (const c of COMPONENTS) {
    it(`${c}: its socket reaches its own upstream over mTLS, without the user's token`, async () => {
      seen.length = 0;
      const res = await get(c, `/api/${c}?n=1`);
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.body), { upstream: c });
      assert.deepEqual(seen, [{ upstream: c, authorization: undefined, peer: 'access-gateway' }]);
    });
  }

  for (const c of COMPONENTS) {
    it(`${c}: its requests are in its own access log (<dir>/${c}-access.<n>.jsonl), named ${c}, and no other's`, async () => {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !(existsSync(join(dir, 'log', `${c}-access.1.jsonl`)) && records(c).length >= 1)) await new Promise((r) => setTimeout(r, 50));
      const mine = records(c);
      assert.equal(mine.length, 1, JSON.stringify(mine));
      assert.equal(mine[0]!.record, 'access');
      assert.equal(mine[0]!.component, c);
      assert.equal(mine[0]!.path, `/api/${c}?n=1`);
      assert.equal(mine[0]!.user.sub, `sub-${c}`);
      assert.ok(!JSON.stringify(mine).includes('eyJ'), 'no token in the record');
    });
  }

  it('sends each component’s records over OTLP under its own orderscope.component', async () => {
    const deadline = Date.now() + 8000;
    const named = (c: string) => otlpBodies.filter((b) => b.includes(`orderscope.component`) && b.includes(c));
    while (Date.now() < deadline && !COMPONENTS.every((c) => named(c).length > 0)) await new Promise((r) => setTimeout(r, 100));
    for (const c of COMPONENTS) assert.ok(named(c).length > 0, `a batch of ${c}'s records`);
    // A batch is one component's: its resource and its records name no other.
    for (const b of otlpBodies) assert.equal(COMPONENTS.filter((c) => b.includes(c)).length, 1);
  });

  it('is healthy by its probe when every socket answers, and names the one that does not', async () => {
    assert.deepEqual(await run(PROBE, env), { code: 0, stderr: '' });
    const missing = await run(PROBE, { ...env, ACCESS_COMPONENTS: `${env.ACCESS_COMPONENTS},grafana=${socket('grafana')}=https://localhost:1` });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /grafana \(.*grafana\.sock\): .*ENOENT/);
    assert.doesNotMatch(missing.stderr, /jaeger|prometheus|alertmanager|victorialogs/);
  });

  it('refuses a bad list before it listens anywhere, naming every problem at once', async () => {
    const bad = await run(CLI, { ...env, ACCESS_COMPONENTS: `jaeger=${join(dir, 'x.sock')},prometheus=relative.sock=https://p:1`, ACCESS_LOG_DIR: '' });
    assert.equal(bad.code, 1);
    for (const p of ['ACCESS_COMPONENTS.0.upstream', 'ACCESS_COMPONENTS.1.listen', 'ACCESS_LOG_DIR']) assert.ok(bad.stderr.includes(p), `${p} in ${bad.stderr}`);
    assert.ok(!existsSync(join(dir, 'x.sock')));
  });

  it('exits whole when one component cannot listen: no gateway serving half the logins', async () => {
    const half = await run(CLI, {
      ...env,
      ACCESS_COMPONENTS: `jaeger=${join(dir, 'half-jaeger.sock')}=https://localhost:1,prometheus=${join(dir, 'no-such-dir', 'p.sock')}=https://localhost:1`,
      ACCESS_LOG_DIR: join(dir, 'half-log'),
    });
    assert.equal(half.code, 1);
    assert.match(half.stderr, /access gateway failed: .*no-such-dir/);
  });

  it('stops on SIGTERM with every record written', async () => {
    await get('jaeger', '/api/last');
    const exited = new Promise<number | null>((r) => gateway.once('exit', r));
    gateway.kill('SIGTERM');
    assert.equal(await exited, 0, gatewayStderr);
    assert.ok(records('jaeger').some((r) => r.path === '/api/last'));
  });
});
