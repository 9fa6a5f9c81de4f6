import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { ownerOf, pathOf, SERVICE_NAMES, SERVICES } from '@orderscope/orders';
import { isSkeleton, orderTrace, tag, transitionSpans, treeOf, type JaegerTrace } from '../support/jaeger.js';
import { manufactureAndDeliver, newB2cOrder, submit } from '../support/orders.js';
import { humanFetch, JAEGER_LOGIN_URL } from '../support/login.js';
import { logsQuery } from '../support/logs.js';
import { componentFetch } from '../support/secure.js';
import { ALERTMANAGER_URL, eventually, JAEGER_URL, LOGS_URL, PROMETHEUS_URL, root } from '../support/stack.js';
import { randomBytes } from 'node:crypto';

/**
 * The demo as `docker compose up --build` starts it, on a real engine (npm run test:compose, which
 * brings the stack up and points ORDERSCOPE_CERTS_DIR / ORDERSCOPE_SECRETS_DIR at what its
 * one-shots made): reached only through the ports compose publishes on 127.0.0.1.
 */
const run = promisify(execFile);
const compose = async (...args: string[]) => (await run('docker', ['compose', ...args], { cwd: root, maxBuffer: 64 << 20 })).stdout;

interface Target { labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }

describe('docker compose up: the demo through its published ports', () => {
  it('has Prometheus (through its login on 9090) scraping every target up, the four services among them', { timeout: 120_000 }, async (t: TestContext) => {
    const targets = await eventually('every Prometheus target up', 90_000, async () => {
      const res = await componentFetch(`${PROMETHEUS_URL}/api/v1/targets?state=active`);
      if (!res.ok) return undefined;
      const active = ((await res.json()) as { data: { activeTargets: Target[] } }).data.activeTargets;
      return active.length > 0 && active.every((x) => x.health === 'up') ? active : undefined;
    });
    for (const s of SERVICE_NAMES) {
      assert.ok(targets.some((x) => x.scrapeUrl.includes(`//${s}:${SERVICES[s].metricsPort}/`)), `${s}'s /metrics is scraped`);
    }
    t.diagnostic(`${targets.length} targets up: ${targets.map((x) => `${x.labels.job} ${x.labels.instance}`).join(', ')}`);
  });

  it('has Prometheus sending its alerts to Alertmanager, which answers through its login on 9093', async () => {
    const res = await componentFetch(`${PROMETHEUS_URL}/api/v1/alertmanagers`);
    const active = ((await res.json()) as { data: { activeAlertmanagers: Array<{ url: string }> } }).data.activeAlertmanagers;
    assert.deepEqual(active.map((a) => a.url), ['https://alertmanager:9093/api/v2/alerts']);
    const status = await componentFetch(`${ALERTMANAGER_URL}/api/v2/status`);
    assert.equal(status.status, 200);
    const body = (await status.json()) as { versionInfo: { version: string }; cluster: { status: string } };
    assert.equal(body.cluster.status, 'disabled', 'one instance, no gossip');
  });

  it('takes a B2C order through the shop (8081) and the MES (8084) to CLOSED, and Jaeger, through the login (https://127.0.0.1:16686), finds it by order_id with every transition and records the search', { timeout: 180_000 }, async (t: TestContext) => {
    const id = await newB2cOrder();
    assert.equal((await submit(id)).status, 200);
    await manufactureAndDeliver(id);
    const path = pathOf('b2c');
    const owners = [...new Set(path.map((s) => ownerOf('b2c', s)).filter((s) => s !== undefined))];
    const made = (trace: JaegerTrace) => transitionSpans(trace).filter((s) => tag(s, 'order.transition.replayed') === false);
    // The collector decides the skeleton within a second; the deadline leaves room for a cold stack.
    const trace = await orderTrace(id, (tr) => made(tr).length >= path.length, owners, 90_000);
    assert.deepEqual(made(trace).map((s) => tag(s, 'order.status')), path, 'every transition, in order');
    const tree = treeOf(trace);
    assert.equal(tree.roots.length, 1, 'one root');
    assert.ok(isSkeleton(tree.roots[0]!), 'the root is on the skeleton');
    t.diagnostic(`order ${id} found in Jaeger through ${owners.join(', ')}: trace ${trace.traceID}, ${trace.spans.length} spans`);

    // The trace store is encrypted at rest: the volume holds the order's spans, never its id in clear.
    const volume = `${(await compose('config', '--format', 'json').then((c) => JSON.parse(c).name))}_jaeger-data`;
    const plain = await run('docker', ['run', '--rm', '--network', 'none', '-v', `${volume}:/store:ro`, 'debian:bookworm-slim', 'grep', '-rlF', id, '/store'])
      .then(() => true, (err: { code?: number }) => (err.code === 1 ? false : Promise.reject(err)));
    assert.equal(plain, false, `order id ${id} not found in clear in the volume ${volume}`);

    // Jaeger only through the login: nothing without a session or token; every search recorded.
    const anonymous = await humanFetch(`${JAEGER_LOGIN_URL}/api/services`, { headers: { accept: 'application/json' } });
    assert.equal(anonymous.status, 401);
    const log = `${volume.replace(/_jaeger-data$/, '')}_access-log`;
    const records = await eventually('the engineer\'s search in the access log volume', 15_000, async () => {
      const { stdout } = await run('docker', ['run', '--rm', '--network', 'none', '-v', `${log}:/log:ro`, 'debian:bookworm-slim', 'sh', '-c', 'cat /log/*.jsonl']);
      const found = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { order_id?: string; user: { username: string } });
      return found.some((r) => r.order_id === id && r.user.username === 'engineer') ? found : undefined;
    });
    t.diagnostic(`${records.length} access records in ${log}, the engineer's search of ${id} among them`);
  });

  it('stores the services\' log records: an order\'s are found in VictoriaLogs through its login (https://localhost:9428) by order_id, from more than one service; nothing without a login', { timeout: 150_000 }, async (t: TestContext) => {
    // The log store only through the login: no session or token, no records.
    const anonymous = await humanFetch(`${LOGS_URL}/select/logsql/query?${new URLSearchParams({ query: 'order_id:*', limit: '1' })}`, {
      headers: { accept: 'application/json' },
    });
    assert.equal(anonymous.status, 401);
    assert.doesNotMatch(await anonymous.text(), /order_id/, 'no record in the refusal');

    // Orders begin at the shop (the simulator's customers); each goes on through the CRM and the MES.
    // (An access gateway's record may name an order too: only the services count here.)
    const found = await eventually('an order\'s records from more than one service', 120_000, async () => {
      const recent = await logsQuery('_time:15m service.name:=shop order_id:* | uniq by (order_id) limit 20');
      for (const id of recent.map((r) => r.order_id).filter((v) => typeof v === 'string' && v.length > 0)) {
        const records = await logsQuery(`order_id:="${id}"`);
        const services = new Set(records.map((r) => r['service.name']).filter((n) => (SERVICE_NAMES as readonly (string | undefined)[]).includes(n)));
        if (services.size > 1) return { id, records, services };
      }
      return undefined;
    }, 2_000);
    assert.ok(found.records.every((r) => r.order_id === found.id), 'an exact match: only that order\'s records');
    t.diagnostic(`order ${found.id}: ${found.records.length} log records, from ${[...found.services].sort().join(', ')}`);
  });

  it("serves the storefront on 8081 and relays its browser spans to Jaeger, as storefront", { timeout: 120_000 }, async () => {
    const page = await fetch(`http://127.0.0.1:${SERVICES.shop.port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Print-a-Part/);
    const session = `compose-${randomBytes(4).toString('hex')}`;
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = {
      traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name: 'click start-order', kind: 1,
      startTimeUnixNano: String(now - 5_000_000n), endTimeUnixNano: String(now),
      attributes: [{ key: 'session.id', value: { stringValue: session } }],
    };
    const relayed = await fetch(`http://localhost:${SERVICES.shop.port}/rum/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://localhost:${SERVICES.shop.port}` },
      body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [span] }] }] }),
    });
    assert.equal(relayed.status, 200, await relayed.text());
    await eventually('the relayed browser span in Jaeger', 90_000, async () => {
      const res = await componentFetch(`${JAEGER_URL}/api/traces?service=storefront&tags=${encodeURIComponent(JSON.stringify({ 'session.id': session }))}&lookback=1h`);
      const data = res.ok ? ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [] : [];
      return data.length > 0 ? true : undefined;
    }, 2_000);
  });

  it('keeps its promises on a laptop: ports on 127.0.0.1 only, a memory limit on every container, none hit, the sum the README states', async (t: TestContext) => {
    const ids = (await run('docker', ['ps', '-q', '--filter', 'label=com.docker.compose.project=orderscope'])).stdout.split('\n').filter(Boolean);
    assert.ok(ids.length >= 9, `the stack's containers are running (${ids.length})`);
    const inspected: Array<{
      Name: string;
      RestartCount: number;
      State: { OOMKilled: boolean };
      HostConfig: { Memory: number };
      NetworkSettings: { Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> };
    }> = JSON.parse((await run('docker', ['inspect', ...ids])).stdout);
    const published: string[] = [];
    for (const c of inspected) {
      assert.ok(c.HostConfig.Memory > 0, `${c.Name} has a memory limit`);
      assert.equal(c.State.OOMKilled, false, `${c.Name} was not killed at its memory limit`);
      assert.equal(c.RestartCount, 0, `${c.Name} never restarted`);
      for (const [port, bindings] of Object.entries(c.NetworkSettings.Ports)) {
        for (const b of bindings ?? []) {
          assert.equal(b.HostIp, '127.0.0.1', `${c.Name} ${port} is published on 127.0.0.1 only (${b.HostIp})`);
          published.push(`${b.HostIp}:${b.HostPort}`);
        }
      }
    }
    // The README's sum of the long-running containers' limits (Grafana's included) is compose's.
    const services: Record<string, { restart?: string; deploy?: { resources?: { limits?: { memory?: string | number } } } }> =
      JSON.parse(await compose('config', '--format', 'json')).services;
    const mib = Object.values(services)
      .filter((s) => s.restart !== 'no')
      .reduce((sum, s) => sum + Number(s.deploy?.resources?.limits?.memory ?? Number.NaN) / 2 ** 20, 0);
    const stated = /memory limits of the long-running containers add up to (\d+) MiB/.exec(readFileSync(resolve(root, 'README.md'), 'utf8'))?.[1];
    assert.equal(stated, String(mib), "the README states compose's sum of memory limits");
    t.diagnostic(`${inspected.length} containers, each with a memory limit, none OOM-killed or restarted; published: ${published.sort().join(', ')}; limits sum ${mib} MiB`);
  });

  it('starts the collector and Jaeger without a deprecated setting in their logs', async () => {
    for (const service of ['otel-collector', 'jaeger']) {
      const logs = await compose('logs', '--no-color', service);
      assert.ok(logs.length > 0, `${service} logged`);
      const deprecated = logs.split('\n').filter((l) => /deprecat/i.test(l));
      assert.deepEqual(deprecated, [], `${service}: deprecated names in its config`);
    }
  });
});
