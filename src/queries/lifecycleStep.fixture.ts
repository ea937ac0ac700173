/*
 * The Lifecycle queries at one step, for lifecycle.promtool.test.ts: input series whose counters rise just before
 * the step, and the exact quantiles and rates expected of each query.
 */
import { timeToRunningQuantileQuery, transitionsPerMinuteQuery } from './lifecycle';
import {
  reconcileDurationQuantileQuery,
  reconcileErrorRateQuery,
  reconcileRateQuery,
  workQueueDepthQuery,
  workQueueWaitQuantileQuery,
} from './operatorHealth';
import { LIFE, TTR, buckets, ctf, interpolate, s, type Case } from './lifecyclePromtool.fixture';

// ---- per step: evaluated at 30m with $__rate_interval = 2m; the counters are 0 up to 1710 s and rise from 1740 s.
const perStep = (...rise: number[]) => `0x57 ${rise.join(' ')}`;
export const STEP_INPUT = [
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

export function stepCases(): Case[] {
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
    // A namespace without transition series while the operator exports them elsewhere: 0, not nothing.
    { expr: step(transitionsPerMinuteQuery(s, 'opened', { namespace: ['quiet'] })), at, exp: one(0) },
    {
      expr: step(reconcileRateQuery(s)),
      at,
      exp: [
        { labels: '{result="requeue"}', value: perS(6) },
        { labels: '{result="success"}', value: perS(90) },
      ],
    },
    { expr: step(reconcileErrorRateQuery(s)), at, exp: one(perS(6)) },
    // Reconciles: 96; p50 = rank 48, 8 of the 40 in (0.01, 0.1]; p99 = rank 95.04, 15.04 of the 16 in (0.1, 1].
    {
      expr: step(reconcileDurationQuantileQuery(s, 0.5)),
      at,
      exp: one(interpolate(0.01, 0.1, 0.5 * perS(96) - perS(40), perS(80) - perS(40))),
    },
    {
      expr: step(reconcileDurationQuantileQuery(s, 0.99)),
      at,
      exp: one(interpolate(0.1, 1, 0.99 * perS(96) - perS(80), perS(96) - perS(80))),
    },
    // Queue waits: 100; p90 = rank 90, the top of (0.001, 0.01] → 0.01.
    {
      expr: step(workQueueWaitQuantileQuery(s, 0.9)),
      at,
      exp: one(interpolate(0.001, 0.01, 0.9 * perS(100) - perS(50), perS(90) - perS(50))),
    },
    { expr: workQueueDepthQuery(s), at, exp: one(3) },
  ];
}
