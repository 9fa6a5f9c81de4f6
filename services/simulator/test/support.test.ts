import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '@orderscope/platform';
import { loadSimulatorConfig } from '../src/config.js';
import { historyMatches } from '../src/report.js';
import { OrderRun } from '../src/simulation.js';
import { activityMs, REAL_MINUTES, retryPauseMs, scaledMs } from '../src/timing.js';
import { seededRng } from '../src/random.js';

const TOKEN = 'internal-token-0123456789';

describe('time scale', () => {
  it('turns real minutes into wall milliseconds', () => {
    assert.equal(scaledMs(1, 600), 100);
    assert.equal(scaledMs(60, 3600), 1000);
    assert.equal(scaledMs(90, 1), 5_400_000);
  });

  it('draws activity durations within their scaled range', () => {
    const rng = seededRng(3);
    for (let i = 0; i < 100; i++) {
      const ms = activityMs('delivery', 600, rng);
      assert.ok(ms >= scaledMs(REAL_MINUTES.delivery[0], 600) && ms <= scaledMs(REAL_MINUTES.delivery[1], 600));
    }
  });

  it('a whole order fits the default deadline at the default scale', () => {
    const worst = Object.entries(REAL_MINUTES).reduce((n, [, [, hi]]) => n + hi, 0);
    assert.ok(scaledMs(worst, 600) < 60_000, `worst case ${scaledMs(worst, 600)} ms`);
  });

  it('re-try pauses grow and are capped', () => {
    const rng = () => 0.5; // no jitter
    assert.deepEqual([1, 2, 3, 4, 5, 6, 10].map((a) => retryPauseMs(a, rng)), [500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });
});

describe('simulator environment', () => {
  it('has defaults for everything but the internal token', () => {
    const c = loadSimulatorConfig({ INTERNAL_API_TOKEN: TOKEN, ORDERSCOPE_SECRETS_DIR: '/nonexistent' });
    assert.deepEqual(c.urls, {
      shop: 'http://127.0.0.1:8081',
      'mes-api': 'http://127.0.0.1:8082',
      crm: 'http://127.0.0.1:8083',
      mes: 'http://127.0.0.1:8084',
    });
    assert.equal(c.adminToken, undefined);
    assert.equal(c.timeScale, 600);
    assert.equal(c.scenario, 'healthy');
    assert.equal(c.rate, 0.5);
  });

  it('names every problem at once', () => {
    assert.throws(
      () => loadSimulatorConfig({ ORDERSCOPE_SECRETS_DIR: '/nonexistent', SHOP_URL: 'not a url', SIM_SCENARIO: 'meteor', SIM_RATE: '0' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        ['SHOP_URL', 'INTERNAL_API_TOKEN', 'SIM_SCENARIO', 'SIM_RATE'].every((k) => err.problems.some((p) => p.startsWith(k))),
    );
  });

  it('reads secrets from *_FILE, and from the native stack\'s secrets directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-secrets-'));
    writeFileSync(join(dir, 'internal_api_token'), `${TOKEN}\n`);
    writeFileSync(join(dir, 'admin_token'), 'admin-token-0123456789abcdef');
    const viaFile = loadSimulatorConfig({ INTERNAL_API_TOKEN_FILE: join(dir, 'internal_api_token'), ORDERSCOPE_SECRETS_DIR: '/nonexistent' });
    assert.equal(viaFile.internalApiToken, TOKEN);
    assert.equal(viaFile.adminToken, undefined);
    const viaDir = loadSimulatorConfig({ ORDERSCOPE_SECRETS_DIR: dir });
    assert.equal(viaDir.internalApiToken, TOKEN);
    assert.equal(viaDir.adminToken, 'admin-token-0123456789abcdef');
    // an explicit value wins over the directory
    assert.equal(loadSimulatorConfig({ ORDERSCOPE_SECRETS_DIR: dir, INTERNAL_API_TOKEN: 'x'.repeat(20) }).internalApiToken, 'x'.repeat(20));
  });
});

describe('registry history check', () => {
  it('accepts exactly the channel path up to the status', () => {
    assert.ok(historyMatches('b2c', ['INITIATED', 'FILE_UPLOADED', 'SUBMITTED'], 'SUBMITTED'));
    assert.ok(historyMatches('b2b', ['FILE_UPLOADED', 'PRICE_CALCULATED', 'MANUFACTURING_APPROVED'], 'MANUFACTURING_APPROVED'));
    assert.ok(!historyMatches('b2c', ['INITIATED', 'SUBMITTED'], 'SUBMITTED'), 'a gap');
    assert.ok(!historyMatches('b2c', ['INITIATED', 'FILE_UPLOADED'], 'SUBMITTED'), 'short of the status');
    assert.ok(!historyMatches('b2b', ['INITIATED', 'FILE_UPLOADED'], 'FILE_UPLOADED'), 'another channel\'s path');
  });
});

describe('OrderRun', () => {
  it('records milestones forward only, with step timings that add up to the total', async () => {
    const run = new OrderRun(0, 'b2c');
    run.begin();
    for (const s of ['INITIATED', 'FILE_UPLOADED', 'MANUFACTURING_APPROVED', 'MANUFACTURING_STARTED'] as const) {
      await new Promise((r) => setTimeout(r, 5));
      run.reached(s);
    }
    run.reached('FILE_UPLOADED'); // a late answer never moves it back
    assert.equal(run.status, 'MANUFACTURING_STARTED');
    assert.deepEqual(Object.keys(run.timings), ['create_ms', 'upload_ms', 'submit_ms', 'queue_ms']);
    assert.ok(!run.finished);
    for (const s of ['MANUFACTURING_COMPLETED', 'PACKAGING', 'SHIPPED', 'CLOSED'] as const) run.reached(s);
    await run.done;
    assert.ok(run.finished && run.error === undefined);
    const sum = Object.values(run.timings).reduce((a, b) => a + b, 0);
    const total = run.finishedAt! - run.startedAt!;
    assert.ok(Math.abs(sum - total) <= 8, `${sum} vs ${total}`);
  });

  it('finishes once, keeping the first error', async () => {
    const run = new OrderRun(1, 'b2b');
    run.begin();
    run.finish('submit order: refused');
    run.finish('later');
    run.reached('CLOSED');
    await run.done;
    assert.equal(run.error, 'submit order: refused');
  });
});
