/** A sample of a series over time: `t` in ms, `y` in the series' unit (MiB, sockets). */
export interface Point {
  readonly t: number;
  readonly y: number;
}

/** Least-squares slope of y over t, per minute. */
export function slopePerMinute(points: readonly Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const num = points.reduce((a, p) => a + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60_000;
}

/**
 * Does the series grow, a leak's way? Its fitted slope is over `perMinute`, and it never came back:
 * the last third of the samples stays above the first third's peak. A cache that fills and is
 * emptied (Jaeger's Badger writes into 64 MiB memtables and flushes each when full) draws a
 * sawtooth whose fitted slope over a few minutes can be steep, and comes back down; a leak does
 * not. A sawtooth whose period is longer than two thirds of the window cannot be told from a
 * leak, and is reported as one.
 */
export function growth(points: readonly Point[], perMinute: number): { slope: number; grows: boolean; firstPeak: number; lastFloor: number } {
  const slope = slopePerMinute(points);
  const third = Math.max(1, Math.ceil(points.length / 3));
  const firstPeak = Math.max(...points.slice(0, third).map((p) => p.y));
  const lastFloor = Math.min(...points.slice(-third).map((p) => p.y));
  return { slope, grows: slope > perMinute && lastFloor > firstPeak, firstPeak, lastFloor };
}
