/*
 * What the Lifecycle queries' promtool test (lifecycle.promtool.test.ts) is made of: the shape of a case, cumulative
 * bucket series, the filters and settings the queries are built with, and the harness that writes the cases as a
 * `promtool test rules` file and runs it.
 *
 * The expected quantiles are worked out by hand (comments); `interpolate` only repeats histogram_quantile's linear
 * interpolation within the bucket, in Prometheus' order of operations, so that the figure is the same double.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPromtoolOf, type PrometheusBuild } from '@hexactf/testing/prometheus-builds';

import { DEFAULT_SETTINGS } from '../settings/settings';
import { type QueryFilters } from './common';

export const s = DEFAULT_SETTINGS;
export const ctf: QueryFilters = { namespace: ['ctf'] };

/** histogram_quantile's value for a rank inside the bucket (start, end] holding `count` observations. */
export const interpolate = (start: number, end: number, rankInBucket: number, count: number) =>
  start + (end - start) * (rankInBucket / count);

interface Sample {
  labels: string;
  value: number;
}
export interface Case {
  expr: string;
  at: string;
  exp: Sample[];
}

/** Cumulative bucket series: `counts` per upper bound (the last one +Inf), each rising as `shape` says. */
export function buckets(
  metric: string,
  labels: string,
  counts: Array<[string, number]>,
  shape: (final: number) => string
) {
  return counts.map(([le, n]) => ({ series: `${metric}_bucket{${labels},le="${le}"}`, values: shape(n) }));
}

export const TTR = 'challenge_time_to_running_seconds';
export const LIFE = 'challenge_lifetime_seconds';

export function promtoolFile(input: Array<{ series: string; values: string }>, cases: Case[]) {
  return {
    rule_files: [],
    evaluation_interval: '30s',
    tests: [
      {
        interval: '30s',
        input_series: input,
        promql_expr_test: cases.map((c) => ({ expr: c.expr, eval_time: c.at, exp_samples: c.exp })),
      },
    ],
  };
}

export function promtoolTestRules(build: PrometheusBuild, file: object) {
  const dir = mkdtempSync(join(tmpdir(), 'hexactf-lifecycle-'));
  try {
    const path = join(dir, 'lifecycle.test.yaml');
    writeFileSync(path, JSON.stringify(file, null, 2));
    return runPromtoolOf(build, ['test', 'rules', path]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
