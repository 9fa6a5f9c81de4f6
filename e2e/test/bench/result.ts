/** One benchmark's figures, as `npm run bench` prints them and writes them to docs/benchmarks.md. */
export interface BenchResult {
  readonly id: string;
  readonly title: string;
  /** The target, in words. */
  readonly target: string;
  readonly met: boolean;
  /** Table rows: a label and its figures. */
  readonly rows: ReadonlyArray<readonly [string, string]>;
  /** How it was measured, and what the figures mean. */
  readonly notes: string;
}

/** Median, min and max of repeated measurements, the spread shown with the figure. */
export function spread(values: readonly number[], digits = 0): string {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `${mid.toFixed(digits)} (${s[0]!.toFixed(digits)}–${s.at(-1)!.toFixed(digits)}, n=${s.length})`;
}
