/*
 * The Lifecycle queries over the dashboard range, for lifecycle.promtool.test.ts: input series whose counters are 0
 * at the range's start, and the exact quantiles, shares and counts expected of each query.
 */
import { lifetimeDistributionQuery, lifetimeQuantileQuery, timeToRunningByDefinitionQuery } from './lifecycle';
import { reconcileErrorsInRangeQuery } from './operatorHealth';
import { type QueryFilters } from './common';
import { LIFE, TTR, buckets, ctf, interpolate, s, type Case } from './lifecyclePromtool.fixture';

// ---- over the dashboard range: evaluated at 60m with $__range = 1h; the counters are 0 at 0 s and 30 s, then final.
const overRange = (n: number) => `0 0 ${n}x118`;
export const RANGE_INPUT = [
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

export function rangeCases(): Case[] {
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
    { expr: reconcileErrorsInRangeQuery(s).replaceAll('$__range', '1h'), at, exp: [{ labels: '{}', value: 3 }] },
  ];
}
