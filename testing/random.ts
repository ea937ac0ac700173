/**
 * Dependency-free on purpose: the operator image copies this one file for the demo workload generator.
 * mulberry32, a tiny seeded PRNG: the same seed gives the same sequence, so generated workloads, histories and
 * benchmark data repeat run after run. Floats in [0, 1), like Math.random.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
