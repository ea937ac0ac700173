// A Prometheus histogram accumulated by hand, for fixtures that write an operator's histograms as exposition text
// over a generated history. Plain data (no class), so a fixture can structuredClone one scrape's state.

/** Cumulative counts per bucket bound (le), with the observations' sum and count. */
export interface HistogramCounts {
  buckets: number[];
  sum: number;
  count: number;
}

export const emptyHistogram = (bounds: readonly number[]): HistogramCounts => ({
  buckets: bounds.map(() => 0),
  sum: 0,
  count: 0,
});

export function observe(h: HistogramCounts, bounds: readonly number[], v: number): void {
  bounds.forEach((b, i) => {
    if (v <= b) {
      h.buckets[i]++;
    }
  });
  h.sum += v;
  h.count++;
}

/** The histogram's samples at t: a _bucket per bound and +Inf, then _count and _sum (written by formatSum). */
export function histogramLines(
  name: string,
  labels: string,
  bounds: readonly number[],
  h: HistogramCounts,
  t: number,
  formatSum: (sum: number) => string
): string[] {
  return [
    ...bounds.map((b, i) => `${name}_bucket{${labels},le="${b}"} ${h.buckets[i]} ${t}`),
    `${name}_bucket{${labels},le="+Inf"} ${h.count} ${t}`,
    `${name}_count{${labels}} ${h.count} ${t}`,
    `${name}_sum{${labels}} ${formatSum(h.sum)} ${t}`,
  ];
}
