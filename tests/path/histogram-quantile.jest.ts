// The path test's own histogram_quantile, on cases worked out by hand (path.jest.ts then checks it against real
// Prometheus on the operator's histograms).
import { addBuckets, bucketsOf, histogramQuantile, type Buckets } from './histogram-quantile';

const b = (pairs: Array<[number, number]>): Buckets => new Map(pairs);

describe('histogramQuantile', () => {
  const h = b([
    [1, 0],
    [5, 2],
    [10, 3],
    [30, 4],
    [Infinity, 4],
  ]);

  it('interpolates linearly inside the bucket that holds the rank', () => {
    expect(histogramQuantile(0.5, h)).toBe(5); // rank 2: the top of (1, 5]
    expect(histogramQuantile(0.25, h)).toBe(3); // rank 1: halfway through (1, 5]
    expect(histogramQuantile(0.75, h)).toBe(10); // rank 3
    expect(histogramQuantile(0.9, h)).toBeCloseTo(10 + 20 * 0.6, 12); // rank 3.6: 0.6 of (10, 30]
    expect(histogramQuantile(0.99, h)).toBeCloseTo(10 + 20 * 0.96, 12);
  });

  it('starts the lowest bucket at 0', () => {
    expect(
      histogramQuantile(
        0.5,
        b([
          [10, 4],
          [Infinity, 4],
        ])
      )
    ).toBe(5);
  });

  it('answers the highest finite bound for a rank in +Inf, NaN without observations or +Inf', () => {
    expect(
      histogramQuantile(
        0.9,
        b([
          [1, 1],
          [5, 1],
          [Infinity, 3],
        ])
      )
    ).toBe(5);
    expect(
      histogramQuantile(
        0.5,
        b([
          [1, 0],
          [Infinity, 0],
        ])
      )
    ).toBeNaN();
    expect(
      histogramQuantile(
        0.5,
        b([
          [1, 2],
          [5, 3],
        ])
      )
    ).toBeNaN();
    expect(histogramQuantile(-0.1, h)).toBe(-Infinity);
    expect(histogramQuantile(1.1, h)).toBe(Infinity);
  });

  it('is the same for bucket counts scaled alike (what rate and increase do to one series)', () => {
    const scaled = new Map([...h].map(([le, c]) => [le, c * 1.0123]));
    for (const q of [0.5, 0.9, 0.99]) {
      expect(histogramQuantile(q, scaled)).toBeCloseTo(histogramQuantile(q, h), 9);
    }
  });
});

describe('bucketsOf / addBuckets', () => {
  it('counts an observation on a bound in that bucket, and adds bound by bound', () => {
    const one = bucketsOf([1, 5, 10], [0.5, 5, 7, 40]);
    expect([...one]).toEqual([
      [1, 1],
      [5, 2],
      [10, 3],
      [Infinity, 4],
    ]);
    expect([...addBuckets(one, bucketsOf([1, 5, 10], [2]))]).toEqual([
      [1, 1],
      [5, 3],
      [10, 4],
      [Infinity, 5],
    ]);
  });
});
