/**
 * @jest-environment node
 */
/*
 * The Lifecycle page's queries, evaluated by the real `promtool test rules` of Prometheus 2.x and 3.x. Quantiles
 * and rates are checked to the last bit, so the input avoids what differs between Prometheus versions: every counter is 0 at the start of the
 * range a query reads and has a sample at its end, so `increase` and `rate` extrapolate nothing (Prometheus 2 and 3
 * differ in whether a sample on the range's left edge counts, and the extrapolation would round differently).
 *
 * The expected quantiles are worked out by hand (comments); `interpolate` only repeats histogram_quantile's linear
 * interpolation within the bucket, in Prometheus' order of operations, so that the figure is the same double.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROMETHEUS_BUILDS, runPromtoolOf, type PrometheusBuild } from '@hexactf/testing/prometheus-builds';

import { DEFAULT_SETTINGS } from '../settings/settings';
import { type QueryFilters } from './common';
import {
  lifetimeDistributionQuery,
  lifetimeQuantileQuery,
  timeToRunningByDefinitionQuery,
  timeToRunningQuantileQuery,
  transitionsPerMinuteQuery,
} from './lifecycle';
import {
  reconcileDurationQuantileQuery,
  reconcileErrorRateQuery,
  reconcileErrorsInRangeQuery,
  reconcileRateQuery,
  workQueueDepthQuery,
  workQueueWaitQuantileQuery,
} from './operatorHealth';

const s = DEFAULT_SETTINGS;
const ctf: QueryFilters = { namespace: ['ctf'] };

/** histogram_quantile's value for a rank inside the bucket (start, end] holding `count` observations. */
const interpolate = (start: number, end: number, rankInBucket: number, count: number) =>
  start + (end - start) * (rankInBucket / count);

interface Sample {
  labels: string;
  value: number;
}
interface Case {
  expr: string;
  at: string;
  exp: Sample[];
}

/** Cumulative bucket series: `counts` per upper bound (the last one +Inf), each rising as `shape` says. */
function buckets(metric: string, labels: string, counts: Array<[string, number]>, shape: (final: number) => string) {
  return counts.map(([le, n]) => ({ series: `${metric}_bucket{${labels},le="${le}"}`, values: shape(n) }));
}

// ---- over the dashboard range: evaluated at 60m with $__range = 1h; the counters are 0 at 0 s and 30 s, then final.
const overRange = (n: number) => `0 0 ${n}x118`;
const TTR = 'challenge_time_to_running_seconds';
const LIFE = 'challenge_lifetime_seconds';
const RANGE_INPUT = [
  // web in ctf: 4 within 5 s, 2 more within 10 s, 2 more within 30 s.
  ...buckets(
    TTR,
    'namespace="ctf",definition="web"',
    [
      ['1', 0],
      ['5', 4],
      ['10', 6],
      ['30', 8],
      ['60', 8],
      ['+Inf', 8],
    ],
    overRange
  ),
  // pwn in ctf: one in (5, 10], one in (30, 60].
  ...buckets(
    TTR,
    'namespace="ctf",definition="pwn"',
    [
      ['1', 0],
      ['5', 0],
      ['10', 1],
      ['30', 1],
      ['60', 2],
      ['+Inf', 2],
    ],
    overRange
  ),
  // web in another namespace, all five in (30, 60]: only without the namespace filter.
  ...buckets(
    TTR,
    'namespace="other",definition="web"',
    [
      ['1', 0],
      ['5', 0],
      ['10', 0],
      ['30', 0],
      ['60', 5],
      ['+Inf', 5],
    ],
    overRange
  ),
  // lifetimes in ctf: 2 within a minute, 3 within 5 minutes, 4 within 30 minutes, 1 longer.
  ...buckets(
    LIFE,
    'namespace="ctf",definition="web"',
    [
      ['60', 2],
      ['300', 5],
      ['1800', 9],
      ['+Inf', 10],
    ],
    overRange
  ),
  { series: `${LIFE}_count{namespace="ctf",definition="web"}`, values: overRange(10) },
  // 3 reconcile errors over the hour.
  { series: 'controller_runtime_reconcile_errors_total{controller="challenge"}', values: overRange(3) },
];

function rangeCases(): Case[] {
  const at = '60m';
  const byDef = (q: number, f?: QueryFilters) => timeToRunningByDefinitionQuery(s, q, f).replaceAll('$__range', '1h');
  const def = (d: string, value: number) => ({ labels: `{definition="${d}"}`, value });
  const life = (q: number) => lifetimeQuantileQuery(s, q, ctf).replaceAll('$__range', '1h');
  const le = (b: string, value: number) => ({ labels: `{le="${b}"}`, value });
  return [
    // web: 8 in all; p50 = rank 4, the top of (1, 5] → 5; p90 = rank 7.2, 1.2 of the 2 in (10, 30] → 22.
    // pwn: 2; p50 = rank 1, the one in (5, 10] → 10; p90 = rank 1.8, 0.8 of the one in (30, 60] → 54.
    { expr: byDef(0.5, ctf), at, exp: [def('pwn', interpolate(5, 10, 1, 1)), def('web', interpolate(1, 5, 4, 4))] },
    {
      expr: byDef(0.9, ctf),
      at,
      exp: [def('pwn', interpolate(30, 60, 0.9 * 2 - 1, 1)), def('web', interpolate(10, 30, 0.9 * 8 - 6, 2))],
    },
    // Without the filter web has the other namespace's 5 in (30, 60] too: 13; p50 = rank 6.5, 0.5 of the 2 in (10, 30].
    {
      expr: byDef(0.5),
      at,
      exp: [def('pwn', interpolate(5, 10, 1, 1)), def('web', interpolate(10, 30, 0.5 * 13 - 6, 2))],
    },
    // Lifetimes: p50 = rank 5, the top of (60, 300] → 300; p90 = rank 9 → 1800; p99 = rank 9.9, in +Inf → 1800.
    { expr: life(0.5), at, exp: [{ labels: '{}', value: interpolate(60, 300, 5 - 2, 3) }] },
    { expr: life(0.9), at, exp: [{ labels: '{}', value: interpolate(300, 1800, 9 - 5, 4) }] },
    { expr: life(0.99), at, exp: [{ labels: '{}', value: 1800 }] },
    // The share of the 10 that lived at most each bound.
    {
      expr: lifetimeDistributionQuery(s, ctf).replaceAll('$__range', '1h'),
      at,
      exp: [le('60', 2 / 10), le('300', 5 / 10), le('1800', 9 / 10), le('+Inf', 10 / 10)],
    },
    // Nothing ended in a namespace without lifetimes: no sample (not a division by 0).
    { expr: lifetimeDistributionQuery(s, { namespace: ['quiet'] }).replaceAll('$__range', '1h'), at, exp: [] },
    { expr: reconcileErrorsInRangeQuery().replaceAll('$__range', '1h'), at, exp: [{ labels: '{}', value: 3 }] },
  ];
}

// ---- per step: evaluated at 30m with $__rate_interval = 2m; the counters are 0 up to 1710 s and rise from 1740 s.
const perStep = (...rise: number[]) => `0x57 ${rise.join(' ')}`;
const STEP_INPUT = [
  ...buckets(
    TTR,
    'namespace="ctf",definition="web"',
    [
      ['1', 0],
      ['5', 4],
      ['10', 6],
      ['30', 8],
      ['60', 8],
      ['+Inf', 8],
    ],
    (n) => perStep(n / 2, n, n)
  ),
  ...buckets(
    TTR,
    'namespace="other",definition="web"',
    [
      ['1', 0],
      ['5', 0],
      ['10', 0],
      ['30', 0],
      ['60', 4],
      ['+Inf', 4],
    ],
    (n) => perStep(0, n, n)
  ),
  { series: 'challenge_state_transitions_total{namespace="ctf",from="None",to="Pending"}', values: perStep(1, 3, 4) },
  {
    series: 'challenge_state_transitions_total{namespace="ctf",from="Pending",to="Running"}',
    values: perStep(0, 2, 3),
  },
  { series: 'challenge_state_transitions_total{namespace="ctf",from="Pending",to="Error"}', values: perStep(0, 1, 1) },
  // Deletions are counted by the lifetime histogram (one observation per finished cleanup), not by transitions.
  {
    series: 'challenge_state_transitions_total{namespace="ctf",from="Running",to="Deleted"}',
    values: perStep(5, 5, 5),
  },
  { series: `${LIFE}_count{namespace="other",definition="web"}`, values: perStep(2, 2, 2) },
  {
    series: 'controller_runtime_reconcile_total{controller="challenge",result="success"}',
    values: perStep(30, 60, 90),
  },
  { series: 'controller_runtime_reconcile_total{controller="challenge",result="requeue"}', values: perStep(3, 6, 6) },
  { series: 'controller_runtime_reconcile_errors_total{controller="challenge"}', values: perStep(0, 0, 6) },
  // Another controller's counters (a second operator in the same Prometheus) are not the Challenge controller's.
  { series: 'controller_runtime_reconcile_total{controller="other",result="success"}', values: perStep(100, 200, 300) },
  ...buckets(
    'controller_runtime_reconcile_time_seconds',
    'controller="challenge"',
    [
      ['0.01', 40],
      ['0.1', 80],
      ['1', 96],
      ['+Inf', 96],
    ],
    (n) => perStep(n / 4, n / 2, n)
  ),
  ...buckets(
    'workqueue_queue_duration_seconds',
    'name="challenge"',
    [
      ['0.001', 50],
      ['0.01', 90],
      ['0.1', 100],
      ['+Inf', 100],
    ],
    (n) => perStep(n / 2, n / 2, n)
  ),
  { series: 'workqueue_depth{name="challenge",pod="a"}', values: '0x57 7 5 3' },
  { series: 'workqueue_depth{name="challenge",pod="b"}', values: '0x60' },
];

function stepCases(): Case[] {
  const at = '30m';
  const step = (expr: string) => expr.replaceAll('$__rate_interval', '2m');
  const one = (value: number) => [{ labels: '{}', value }];
  // Over the 2m before 30m each counter rose by its value at 1800 s: a rate is that / 120 s.
  const perS = (n: number) => n / 120;
  return [
    // Time to Running, ctf only: the web histogram as in the range cases, as rates; p50 → 5, p90 → 22.
    {
      expr: step(timeToRunningQuantileQuery(s, 0.5, ctf)),
      at,
      exp: one(interpolate(1, 5, 0.5 * perS(8), perS(4))),
    },
    {
      expr: step(timeToRunningQuantileQuery(s, 0.9, ctf)),
      at,
      exp: one(interpolate(10, 30, 0.9 * perS(8) - perS(6), perS(8) - perS(6))),
    },
    // All namespaces: 12, the other 4 in (30, 60]; p50 = rank 6 → the top of (5, 10] → 10.
    {
      expr: step(timeToRunningQuantileQuery(s, 0.5)),
      at,
      exp: one(interpolate(5, 10, 0.5 * perS(12) - perS(4), perS(6) - perS(4))),
    },
    // Per minute: 4 opened, 1 failed in ctf; the deletions (finished cleanups) were in another namespace.
    { expr: step(transitionsPerMinuteQuery(s, 'opened', ctf)), at, exp: one(perS(4) * 60) },
    { expr: step(transitionsPerMinuteQuery(s, 'failed', ctf)), at, exp: one(perS(1) * 60) },
    { expr: step(transitionsPerMinuteQuery(s, 'deleted', ctf)), at, exp: one(0) },
    { expr: step(transitionsPerMinuteQuery(s, 'deleted')), at, exp: one(perS(2) * 60) },
    {
      expr: step(reconcileRateQuery()),
      at,
      exp: [
        { labels: '{result="requeue"}', value: perS(6) },
        { labels: '{result="success"}', value: perS(90) },
      ],
    },
    { expr: step(reconcileErrorRateQuery()), at, exp: one(perS(6)) },
    // Reconciles: 96; p50 = rank 48, 8 of the 40 in (0.01, 0.1]; p99 = rank 95.04, 15.04 of the 16 in (0.1, 1].
    {
      expr: step(reconcileDurationQuantileQuery(0.5)),
      at,
      exp: one(interpolate(0.01, 0.1, 0.5 * perS(96) - perS(40), perS(80) - perS(40))),
    },
    {
      expr: step(reconcileDurationQuantileQuery(0.99)),
      at,
      exp: one(interpolate(0.1, 1, 0.99 * perS(96) - perS(80), perS(96) - perS(80))),
    },
    // Queue waits: 100; p90 = rank 90, the top of (0.001, 0.01] → 0.01.
    {
      expr: step(workQueueWaitQuantileQuery(0.9)),
      at,
      exp: one(interpolate(0.001, 0.01, 0.9 * perS(100) - perS(50), perS(90) - perS(50))),
    },
    { expr: workQueueDepthQuery(), at, exp: one(3) },
  ];
}

function promtoolFile(input: Array<{ series: string; values: string }>, cases: Case[]) {
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

function promtoolTestRules(build: PrometheusBuild, file: object) {
  const dir = mkdtempSync(join(tmpdir(), 'hexactf-lifecycle-'));
  try {
    const path = join(dir, 'lifecycle.test.yaml');
    writeFileSync(path, JSON.stringify(file, null, 2));
    return runPromtoolOf(build, ['test', 'rules', path]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// On Debian's Prometheus 2.x and on Prometheus 3: the answers must not depend on the version.
describe.each(PROMETHEUS_BUILDS)('the Lifecycle queries, evaluated by promtool of Prometheus $name', (build) => {
  it('give the exact quantiles, shares and counts over the dashboard range', () => {
    const { status, output } = promtoolTestRules(build, promtoolFile(RANGE_INPUT, rangeCases()));
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });

  it('give the exact quantiles and rates at a step', () => {
    const { status, output } = promtoolTestRules(build, promtoolFile(STEP_INPUT, stepCases()));
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });

  it('fail when a quantile is off (the harness can fail)', () => {
    const [first] = rangeCases();
    const wrong = { ...first, exp: first.exp.map((e) => ({ ...e, value: e.value + 0.5 })) };
    const { status, output } = promtoolTestRules(build, promtoolFile(RANGE_INPUT, [wrong]));
    expect(status).not.toBe(0);
    expect(output).toContain('FAILED');
  });
});
