// Expected values for the Lifecycle page's histogram panels, computed from bucket counts without Prometheus:
// histogram_quantile's linear interpolation (as Prometheus 2 and 3 do it for classic histograms), and the bucket
// counts a list of observations gives. path.jest.ts compares these with what real Prometheus answers.

/** Cumulative bucket counts by upper bound (`le` as a number; +Inf included). */
export type Buckets = Map<number, number>;

/**
 * The q-quantile of a classic histogram: the bucket holding rank q * count, interpolated linearly within it (the
 * lowest bucket starting at 0 when its bound is positive); the highest finite bound when the rank falls in +Inf;
 * NaN without observations or without a +Inf bucket.
 */
export function histogramQuantile(q: number, buckets: Buckets): number {
  if (q < 0) {
    return -Infinity;
  }
  if (q > 1) {
    return Infinity;
  }
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  if (sorted.length < 2 || sorted[sorted.length - 1][0] !== Infinity) {
    return NaN;
  }
  const total = sorted[sorted.length - 1][1];
  if (!(total > 0)) {
    return NaN;
  }
  let rank = q * total;
  const b = sorted.findIndex(([, count]) => count >= rank);
  if (b === sorted.length - 1) {
    return sorted[sorted.length - 2][0];
  }
  if (b === 0 && sorted[0][0] <= 0) {
    return sorted[0][0];
  }
  let start = 0;
  let count = sorted[b][1];
  if (b > 0) {
    start = sorted[b - 1][0];
    count -= sorted[b - 1][1];
    rank -= sorted[b - 1][1];
  }
  return start + (sorted[b][0] - start) * (rank / count);
}

/** The cumulative bucket counts of observations (an observation equal to a bound counts in that bucket). */
export function bucketsOf(bounds: number[], observations: number[]): Buckets {
  return new Map([...bounds, Infinity].map((le) => [le, observations.filter((v) => v <= le).length]));
}

/** Bucket counts added bound by bound (the sum over several series, as `sum by (le)` does). */
export function addBuckets(a: Buckets, b: Buckets): Buckets {
  return new Map([...new Set([...a.keys(), ...b.keys()])].map((le) => [le, (a.get(le) ?? 0) + (b.get(le) ?? 0)]));
}
