import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { growth, slopePerMinute, type Point } from '../src/growth.js';

/** 7.5 minutes sampled every 10 s, as the load test's steady window. */
const series = (y: (minute: number) => number): Point[] => Array.from({ length: 46 }, (_, i) => ({ t: i * 10_000, y: y((i * 10) / 60) }));
/** A deterministic wobble of ±amplitude, like a GC's. */
const wobble = (minute: number, amplitude: number) => amplitude * Math.sin(minute * 17.3);
/** 64 MiB filled in `period` minutes, then emptied, starting `phase` minutes into a fill. */
const sawtooth = (period: number, phase: number) => (minute: number) => 200 + 64 * (((minute + phase) % period) / period);

const cases: Array<{ name: string; y: (minute: number) => number; grows: boolean }> = [
  { name: 'flat, with a wobble', y: (m) => 100 + wobble(m, 4), grows: false },
  { name: 'a leak of 10 MiB/min, with a wobble', y: (m) => 100 + 10 * m + wobble(m, 4), grows: true },
  { name: 'a leak of 6 MiB/min, smooth', y: (m) => 100 + 6 * m, grows: true },
  { name: 'growth of 3 MiB/min (under the bound)', y: (m) => 100 + 3 * m, grows: false },
  ...[0, 1, 2, 3, 4].map((phase) => ({ name: `a 64 MiB sawtooth of 4.5 min, ${phase} min in`, y: sawtooth(4.5, phase), grows: false })),
  ...[0, 1.5, 3].map((phase) => ({ name: `a 64 MiB sawtooth of 3 min, ${phase} min in`, y: sawtooth(3, phase), grows: false })),
  { name: 'a ramp that is never emptied in the window (cannot be told from a leak)', y: sawtooth(8, 0), grows: true },
];

describe('growth', () => {
  it('fits the slope per minute', () => {
    assert.equal(Math.round(slopePerMinute(series((m) => 7 * m + 3))), 7);
    assert.equal(slopePerMinute([{ t: 0, y: 1 }]), 0);
  });
  for (const c of cases) {
    it(`${c.grows ? 'reports' : 'does not report'} ${c.name}`, () => {
      const g = growth(series(c.y), 5);
      assert.equal(g.grows, c.grows, JSON.stringify(g));
    });
  }
});
