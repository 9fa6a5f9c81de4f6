import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALLOWED_MINUTES, DEMO_TIME_SCALE, OPEN_STATUSES, allowedWaitsMs } from '../src/lifecycle/allowed-times.js';

describe('allowed times per status', () => {
  it('names every status an order can wait in, and only those', () => {
    assert.deepEqual(Object.keys(ALLOWED_MINUTES).sort(), [...OPEN_STATUSES].sort());
    assert.ok(!OPEN_STATUSES.includes('CLOSED' as never));
  });

  const cases = [
    { name: 'real time', timeScale: 1, floorMs: 60_000, status: 'MANUFACTURING_APPROVED', ms: 3_600_000 },
    { name: 'the demo: below the floor', timeScale: DEMO_TIME_SCALE, floorMs: 60_000, status: 'MANUFACTURING_APPROVED', ms: 60_000 },
    { name: 'the demo: above the floor', timeScale: DEMO_TIME_SCALE, floorMs: 60_000, status: 'SHIPPED', ms: 432_000 },
    { name: 'no floor', timeScale: 180, floorMs: 0, status: 'MANUFACTURING_APPROVED', ms: 20_000 },
  ] as const;
  for (const c of cases) {
    it(`scales business minutes to wall time: ${c.name}`, () => {
      assert.equal(allowedWaitsMs(c)[c.status], c.ms);
    });
  }

  it('refuses a scale or floor that makes no sense, naming both', () => {
    assert.throws(() => allowedWaitsMs({ timeScale: 0, floorMs: 1 }), /timeScale > 0 .* got 0/);
    assert.throws(() => allowedWaitsMs({ timeScale: 1, floorMs: -1 }), /floorMs >= 0/);
  });
});
