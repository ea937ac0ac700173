// Shared bits for the benchmarks: short mode, aligned output, percentiles.
export function short(): boolean {
  return process.argv.includes('--short') || process.env.BENCH_SHORT === '1';
}

export function row(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(62)} ${value}\n`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(xs: number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}
