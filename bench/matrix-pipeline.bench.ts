/**
 * Benchmark: the user x challenge matrix pipeline (organize -> group by -> grouping to matrix) through Grafana's own
 * transformDataFrame, on 20,000 live series (2,000 users x up to 200 challenges, sparse, fixed seed), shaped as
 * the Prometheus datasource returns an instant table query. Prints each step's median time, the whole pipeline's,
 * and the ratio to a hand-rolled pivot of the same frame measured in the same run (the baseline).
 *
 * Run: npm run bench (ts-node, CommonJS: @grafana/data's ESM build does not load in plain Node).
 * Env: BENCH_ITERATIONS (default 9), BENCH_SERIES (default 20000).
 */
import type { DataFrame, DataTransformerConfig } from '@grafana/data';
import { performance } from 'node:perf_hooks';
import { seededRandom } from '@hexactf/testing/random';

import { STATUS_LABELS } from '@hexactf/contract';

import { prometheusInstantTable, type InstantSample } from '../src/test/prometheus-table';
import { registerStandardTransformers } from '../src/test/register-transformers';
import { applyTransformations, matrixTransformations } from '../src/transforms/matrix';

const USERS = 2000;
const CHALLENGES = 200;
const SERIES = Number(process.env.BENCH_SERIES ?? 20000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 9);
const WARMUP = 2;
const TARGET_MS = 300;
const LABELS = { challengeId: STATUS_LABELS.challengeId, username: STATUS_LABELS.username };

/** SERIES distinct random (user, challenge) pairs with a random state, labelled like the operator's series. */
function liveSeries(): InstantSample[] {
  const random = seededRandom(20260307);
  const seen = new Set<number>();
  const samples: InstantSample[] = [];
  while (samples.length < SERIES) {
    const user = Math.floor(random() * USERS);
    const challenge = Math.floor(random() * CHALLENGES);
    const key = user * CHALLENGES + challenge;
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    samples.push({
      labels: {
        challenge_id: String(challenge + 1),
        challenge_name: `challenge-${challenge + 1}-user${user}`,
        username: `user${user}`,
        namespace: `ns-${user % 4}`,
        instance: '10.0.0.7:8080',
        job: 'challenge-operator',
      },
      value: Math.floor(random() * 4),
    });
  }
  return samples;
}

/** The baseline: a direct pivot of the same table frame into the same matrix shape, no Grafana machinery. */
function handRolledPivot(frame: DataFrame): {
  users: string[];
  challenges: string[];
  cells: Array<Array<number | null>>;
} {
  const byName = (name: string) => frame.fields.find((field) => field.name === name)!.values;
  const users = byName(LABELS.username);
  const challenges = byName(LABELS.challengeId);
  const values = byName('Value');
  const userIndex = new Map<string, number>();
  const challengeIndex = new Map<string, number>();
  const cells: Array<Array<number | null>> = [];
  for (let row = 0; row < frame.length; row++) {
    let u = userIndex.get(users[row]);
    if (u === undefined) {
      u = userIndex.size;
      userIndex.set(users[row], u);
    }
    let c = challengeIndex.get(challenges[row]);
    if (c === undefined) {
      c = challengeIndex.size;
      challengeIndex.set(challenges[row], c);
      cells.push([]);
    }
    cells[c][u] = values[row]; // later rows win, as group by "last" does
  }
  const rows = userIndex.size;
  for (const column of cells) {
    for (let u = 0; u < rows; u++) {
      column[u] ??= null;
    }
  }
  return { users: [...userIndex.keys()], challenges: [...challengeIndex.keys()], cells };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Wall time, and the process' CPU time (less sensitive to other processes competing for the cores), in ms. */
async function timed<T>(run: () => Promise<T> | T): Promise<[T, number, number]> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await run();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return [result, wall, (used.user + used.system) / 1000];
}

/** Same cells both ways, so the benchmark never times a pipeline that computes something else. */
function assertSameMatrix(matrix: DataFrame, baseline: ReturnType<typeof handRolledPivot>) {
  const [rowField, ...columns] = matrix.fields;
  const same =
    JSON.stringify(rowField.values) === JSON.stringify(baseline.users) &&
    JSON.stringify(columns.map((f) => f.name)) === JSON.stringify(baseline.challenges) &&
    columns.every((field, c) => JSON.stringify(field.values) === JSON.stringify(baseline.cells[c]));
  if (!same) {
    throw new Error('matrix pipeline and hand-rolled pivot disagree');
  }
}

async function main() {
  // transformDataFrame reads window.__grafanaSceneContext; Node has no window.
  (globalThis as { window?: object }).window ??= {};
  registerStandardTransformers();

  const samples = liveSeries();
  const frame = prometheusInstantTable(samples, { timeMs: Date.UTC(2026, 2, 7) });
  const steps = matrixTransformations(LABELS);
  const stepNames = ['organize', 'group by', 'grouping to matrix'];
  const one = (config: DataTransformerConfig, input: DataFrame[]) => applyTransformations(input, [config]);

  const stepTimes: number[][] = stepNames.map(() => []);
  const totals: number[] = [];
  const totalsCpu: number[] = [];
  const baselines: number[] = [];
  const baselinesCpu: number[] = [];
  let lastMatrix: DataFrame | undefined;
  let lastBaseline: ReturnType<typeof handRolledPivot> | undefined;

  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const measured = i >= WARMUP;
    // Each step on its own, fed the previous step's output.
    let input: DataFrame[] = [frame];
    for (let s = 0; s < steps.length; s++) {
      const [output, ms] = await timed(() => one(steps[s], input));
      input = output;
      if (measured) {
        stepTimes[s].push(ms);
      }
    }
    // The whole pipeline in one transformDataFrame call, as the panel runs it.
    const [matrix, total, totalCpu] = await timed(() => applyTransformations([frame], steps));
    const [pivot, baseline, baselineCpu] = await timed(() => handRolledPivot(frame));
    if (measured) {
      totals.push(total);
      totalsCpu.push(totalCpu);
      baselines.push(baseline);
      baselinesCpu.push(baselineCpu);
    }
    lastMatrix = matrix[0];
    lastBaseline = pivot;
  }
  assertSameMatrix(lastMatrix!, lastBaseline!);

  const ms = (x: number) => `${x.toFixed(1).padStart(7)} ms`;
  const users = lastMatrix!.length;
  const columns = lastMatrix!.fields.length - 1;
  console.log(`matrix pipeline: ${SERIES} series -> ${users} users x ${columns} challenges`);
  console.log(`  (median of ${ITERATIONS} iterations after ${WARMUP} warm-up; node ${process.version})`);
  stepNames.forEach((name, s) => console.log(`  ${name.padEnd(20)} ${ms(median(stepTimes[s]))}`));
  const total = median(totals);
  const base = median(baselines);
  const cpu = (xs: number[]) => `(cpu ${median(xs).toFixed(1)} ms)`;
  const verdict = total <= TARGET_MS ? 'met' : 'MISSED';
  console.log(
    `  ${'total (one pipeline)'.padEnd(20)} ${ms(total)} ${cpu(totalsCpu)}   target <= ${TARGET_MS} ms: ${verdict}`
  );
  console.log(`  ${'baseline (hand pivot)'.padEnd(20)} ${ms(base)} ${cpu(baselinesCpu)}`);
  console.log(
    `  pipeline / baseline = ${(total / base).toFixed(1)}x (cpu ${(median(totalsCpu) / median(baselinesCpu)).toFixed(1)}x)`
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
