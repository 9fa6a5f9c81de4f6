/**
 * Sum of every series of `metric` (with or without the _total suffix) whose labels match, in a
 * Prometheus text-format scrape. Apart from secure.ts: benchmark B2 reads collectors of its own
 * and needs none of the stack's certificates.
 */
export function sumSeries(text: string, metric: string, labels: RegExp = /.*/): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? ([\d.eE+-]+|NaN)/.exec(line);
    if (!m || (m[1] !== metric && m[1] !== `${metric}_total`)) continue;
    if (labels.test(m[2] ?? '')) sum += Number(m[3]);
  }
  return sum;
}

