// `npm run bench -w operator` (full) and `npm run bench:short -w operator` (CI, about 3 minutes).
// Each benchmark runs in its own process so heaps and timings do not leak into each other; every figure is
// printed next to a baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { short } from './report.ts';

const mode = short() ? ['--short'] : [];
const benches: Array<[string, string[]]> = [
  ['scrape.ts', []],
  ['concurrent-scrapes.ts', []],
  ['memory.ts', []], // runs its measurements in child processes of its own
  ['memory-side-by-side.ts', []], // the compiled operator and the Go stand-in as processes of their own
  ['reconcile.ts', []],
  ['request-count.ts', []],
  ['request-path.ts', []],
  ['sync.ts', []],
  ['workload.ts', []],
  ['fairness.ts', []],
];
process.stdout.write(`operator benchmarks (${short() ? 'short' : 'full'} mode), node ${process.version}\n`);
let failed = 0;
for (const [file, nodeArgs] of benches) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [...nodeArgs, join(import.meta.dirname, file), ...mode], { stdio: 'inherit' });
  process.stdout.write(`(${file}: ${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  if (r.status !== 0) {
    failed++;
  }
}
process.exit(failed ? 1 : 0);
