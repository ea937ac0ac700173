// Shared bits for the benchmarks: short mode, aligned output, percentiles, the image's V8 flags.
import { spawnSync } from 'node:child_process';

export function short(): boolean {
  return process.argv.includes('--short') || process.env.BENCH_SHORT === '1';
}

export function row(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(62)} ${value}\n`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(xs: number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50
  );
}

/** The V8 flags of the image's ENTRYPOINT (operator/Dockerfile, checked by test/stack/dockerfile.test.ts). */
export const IMAGE_NODE_FLAGS = ['--max-semi-space-size=4'];

/**
 * Runs this benchmark again in a child process under the image's V8 flags, unless it already has them, so the
 * operator in the benchmark collects garbage as the image's does. True in the parent, which then has nothing to do.
 */
export function reexecWithImageFlags(): boolean {
  if (IMAGE_NODE_FLAGS.every((f) => process.execArgv.includes(f))) {
    return false;
  }
  const r = spawnSync(
    process.execPath,
    [...IMAGE_NODE_FLAGS, ...process.execArgv, process.argv[1], ...process.argv.slice(2)],
    { stdio: 'inherit' }
  );
  process.exitCode = r.status ?? 1;
  return true;
}
