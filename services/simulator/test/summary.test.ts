import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignChannels, percentile, summarize, type OrderReport } from '../src/summary.js';

describe('percentile (nearest rank)', () => {
  it('picks the value at rank ceil(p/100 · n)', () => {
    const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    assert.equal(percentile(ten, 50), 5);
    assert.equal(percentile(ten, 95), 10);
    assert.equal(percentile(ten, 90), 9);
    assert.equal(percentile(ten, 100), 10);
    assert.equal(percentile(ten, 0), 1);
    assert.equal(percentile(ten, 10), 1);
    assert.equal(percentile(ten, 11), 2);
  });

  it('handles one value, ties, and none', () => {
    assert.equal(percentile([42], 50), 42);
    assert.equal(percentile([42], 95), 42);
    assert.equal(percentile([3, 3, 3, 9], 50), 3);
    assert.equal(percentile([3, 3, 3, 9], 95), 9);
    assert.equal(percentile([], 50), null);
  });

  it('p95 of 1..20 is 19, of 1..100 is 95', () => {
    assert.equal(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95), 19);
    assert.equal(percentile(Array.from({ length: 100 }, (_, i) => 100 - i), 95), 95);
  });

  it('does not reorder its input and refuses p outside 0..100', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    assert.deepEqual(values, [3, 1, 2]);
    assert.throws(() => percentile(values, 101), RangeError);
    assert.throws(() => percentile(values, Number.NaN), RangeError);
  });
});

describe('summarize', () => {
  const order = (status: OrderReport['status'], total: number, extra: Partial<OrderReport> = {}): OrderReport => ({
    order_id: 'x',
    channel: 'b2c',
    status,
    stuck: status !== 'CLOSED',
    retries: 0,
    timings: { total_ms: total },
    ...extra,
  });

  it('counts by status and channel, and takes percentiles over CLOSED orders only', () => {
    const s = summarize(
      [
        order('CLOSED', 100),
        order('CLOSED', 300, { channel: 'b2b', retries: 2 }),
        order('CLOSED', 200),
        order('MANUFACTURING_APPROVED', 99_000, { channel: 'b2b' }),
        order('NOT_CREATED', 0, { order_id: null, error: 'create order: shop failed', retries: 7 }),
      ],
      12_345.6,
    );
    assert.deepEqual(s, {
      total: 5,
      by_status: { CLOSED: 3, MANUFACTURING_APPROVED: 1, NOT_CREATED: 1 },
      by_channel: { b2c: 3, b2b: 2 },
      closed: 3,
      stuck: 2,
      errors: 1,
      retries: 9,
      p50_total_ms: 200,
      p95_total_ms: 300,
      max_total_ms: 300,
      wall_ms: 12_346,
    });
  });

  it('has null percentiles when nothing closed', () => {
    const s = summarize([order('SHIPPED', 5)], 10);
    assert.equal(s.p50_total_ms, null);
    assert.equal(s.p95_total_ms, null);
  });
});

describe('assignChannels', () => {
  it('mixes both channels for every n ≥ 2 with a share strictly between 0 and 1', () => {
    for (let n = 2; n <= 50; n++) {
      for (const share of [0.01, 0.25, 0.5, 0.75, 0.99]) {
        const channels = assignChannels(n, share);
        assert.equal(channels.length, n);
        assert.ok(channels.includes('b2c') && channels.includes('b2b'), `n=${n} share=${share}`);
      }
    }
  });

  it('follows the share, spread over the run', () => {
    assert.deepEqual(assignChannels(6, 0.5), ['b2c', 'b2b', 'b2c', 'b2b', 'b2c', 'b2b']);
    assert.equal(assignChannels(20, 0.25).filter((c) => c === 'b2b').length, 5);
    assert.deepEqual(assignChannels(4, 0), ['b2c', 'b2c', 'b2c', 'b2c']);
    assert.deepEqual(assignChannels(3, 1), ['b2b', 'b2b', 'b2b']);
    assert.equal(assignChannels(1, 0.5).length, 1);
  });
});
