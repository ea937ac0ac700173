/**
 * The operator's lifecycle and controller metrics over the e2e fixture's range (the fixture has none): a small
 * deterministic OpenMetrics addition, appended to the fixture's text before it is backfilled, and every query the
 * Lifecycle page (its lifecycle and operator-health panels) builds for that range, with the filters given. The
 * engine comparisons (thanos.test.ts; thanos-pages.test.ts per cluster) ask these of each engine. One operator
 * restart halfway (RESTART_S), so rate() and increase() meet a counter reset as on a real event.
 */
import { seededRandom } from '@hexactf/testing/random';

import {
  CHALLENGE_CONTROLLER,
  CONTROLLER_LABEL,
  CONTROLLER_METRICS as M,
  DEFINITION_LABEL,
  LIFETIME_METRIC,
  NO_STATE,
  TIME_TO_RUNNING_METRIC,
  TRANSITIONS_METRIC,
} from '../metric/contract';
import { NO_FILTERS, type QueryFilters } from '../queries/common';
import {
  LIFECYCLE_QUANTILES,
  lifetimeDistributionQuery,
  lifetimeQuantileQuery,
  timeToRunningByDefinitionQuery,
  timeToRunningQuantileQuery,
  transitionsPerMinuteQuery,
} from '../queries/lifecycle';
import {
  reconcileDurationQuantileQuery,
  reconcileErrorRateQuery,
  reconcileErrorsInRangeQuery,
  reconcileRateQuery,
  workQueueDepthQuery,
  workQueueWaitQuantileQuery,
} from '../queries/operatorHealth';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { FROM_S, STEP_S, TO_S } from './fixture-queries';
import { emptyHistogram, histogramLines, observe, type HistogramCounts } from '@hexactf/testing/histogram';

const NS = 'namespace="hexactf"';
const DEFINITIONS = ['web-login', 'pwn-heap'];
const LIFE_BUCKETS = [5, 30, 60, 300, 1800, 3600];
const SECONDS_BUCKETS = [0.001, 0.01, 0.1, 0.5, 1];
const RATE_INTERVAL = '4m';
const RANGE = `${TO_S - FROM_S}s`;
/** The new operator leader's first scrape: every counter and histogram starts again from 0. */
export const RESTART_S = FROM_S + Math.round((TO_S - FROM_S) / 2 / STEP_S) * STEP_S;

type Hist = HistogramCounts;
const hist = emptyHistogram;
const histLines = (name: string, labels: string, bounds: number[], h: Hist, t: number) =>
  histogramLines(name, labels, bounds, h, t, (sum) => sum.toFixed(3));

/** The families, one scrape every STEP_S over [FROM_S, TO_S], in OpenMetrics order (family after family). */
export function lifecycleFamilies(): string {
  const rnd = seededRandom(42);
  const fresh = () => ({
    opened: 0,
    running: 0,
    failed: 0,
    ttr: DEFINITIONS.map(() => hist(LIFE_BUCKETS)),
    life: DEFINITIONS.map(() => hist(LIFE_BUCKETS)),
    ok: 0,
    errors: 0,
    took: hist(SECONDS_BUCKETS),
    waited: hist(SECONDS_BUCKETS),
  });
  // One scrape's state of every family, kept per time, then written family by family.
  const scrapes: Array<{ t: number; c: ReturnType<typeof fresh>; depth: number }> = [];
  let c = fresh();
  for (let t = FROM_S; t <= TO_S; t += STEP_S) {
    if (t === RESTART_S) {
      c = fresh(); // the new leader counts from 0
    }
    const opens = Math.floor(rnd() * 4);
    for (let i = 0; i < opens; i++) {
      const d = Math.floor(rnd() * DEFINITIONS.length);
      c.opened++;
      if (rnd() < 0.15) {
        c.failed++;
        c.errors++;
      } else {
        c.running++;
        observe(c.ttr[d], LIFE_BUCKETS, 3 + rnd() * 90);
      }
      if (rnd() < 0.6) {
        observe(c.life[d], LIFE_BUCKETS, 60 + rnd() * 3000);
      }
      c.ok += 3;
      for (let r = 0; r < 3; r++) {
        observe(c.took, SECONDS_BUCKETS, rnd() * rnd() * 0.8);
        observe(c.waited, SECONDS_BUCKETS, 10 ** (-4 + rnd() * 3));
      }
    }
    scrapes.push({ t, c: structuredClone(c), depth: Math.floor(opens / 2) });
  }
  const ctl = `${CONTROLLER_LABEL}="${CHALLENGE_CONTROLLER}"`;
  const queue = `name="${CHALLENGE_CONTROLLER}"`;
  const family = (name: string, type: string, lines: (s: (typeof scrapes)[number]) => string[]) =>
    [`# TYPE ${name} ${type}`, ...scrapes.flatMap(lines)].join('\n');
  const defs = (pick: (x: ReturnType<typeof fresh>) => Hist[], name: string) => (s: (typeof scrapes)[number]) =>
    DEFINITIONS.flatMap((d, i) => histLines(name, `${NS},${DEFINITION_LABEL}="${d}"`, LIFE_BUCKETS, pick(s.c)[i], s.t));
  return [
    family(TRANSITIONS_METRIC.replace(/_total$/, ''), 'counter', ({ t, c }) => [
      `${TRANSITIONS_METRIC}{${NS},from="${NO_STATE}",to="Pending"} ${c.opened} ${t}`,
      `${TRANSITIONS_METRIC}{${NS},from="Pending",to="Running"} ${c.running} ${t}`,
      `${TRANSITIONS_METRIC}{${NS},from="Pending",to="Error"} ${c.failed} ${t}`,
    ]),
    family(
      TIME_TO_RUNNING_METRIC,
      'histogram',
      defs((x) => x.ttr, TIME_TO_RUNNING_METRIC)
    ),
    family(
      LIFETIME_METRIC,
      'histogram',
      defs((x) => x.life, LIFETIME_METRIC)
    ),
    family(M.reconcileTotal.replace(/_total$/, ''), 'counter', ({ t, c }) => [
      `${M.reconcileTotal}{${ctl},result="success"} ${c.ok} ${t}`,
      `${M.reconcileTotal}{${ctl},result="error"} ${c.errors} ${t}`,
    ]),
    family(M.reconcileErrors.replace(/_total$/, ''), 'counter', ({ t, c }) => [
      `${M.reconcileErrors}{${ctl}} ${c.errors} ${t}`,
    ]),
    family(M.reconcileTime, 'histogram', ({ t, c }) => histLines(M.reconcileTime, ctl, SECONDS_BUCKETS, c.took, t)),
    family(M.queueDuration, 'histogram', ({ t, c }) => histLines(M.queueDuration, queue, SECONDS_BUCKETS, c.waited, t)),
    family(M.queueDepth, 'gauge', ({ t, depth }) => [`${M.queueDepth}{${queue}} ${depth} ${t}`]),
  ].join('\n');
}

/** The fixture's OpenMetrics text with the lifecycle families added before its end. */
export function withLifecycleFamilies(text: string): string {
  return `${text.replace(/# EOF\s*$/, '').trimEnd()}\n${lifecycleFamilies()}\n# EOF\n`;
}

const s = DEFAULT_SETTINGS;
const pct = (q: number) => `p${q * 100}`;

/** The Lifecycle page's instant queries with filters `f` at the range's end, by panel. */
export function lifecycleInstantQueries(f: QueryFilters = NO_FILTERS): Record<string, string> {
  return {
    ...Object.fromEntries(
      LIFECYCLE_QUANTILES.flatMap((q) => [
        [`time to Running by definition ${pct(q)}`, timeToRunningByDefinitionQuery(s, q, f, RANGE)],
        [`lifetime ${pct(q)}`, lifetimeQuantileQuery(s, q, f, RANGE)],
      ])
    ),
    'lifetime distribution': lifetimeDistributionQuery(s, f, RANGE),
    'operator: reconcile errors in range': reconcileErrorsInRangeQuery(s, f, RANGE),
  };
}

/** The Lifecycle page's range queries with filters `f`, by panel. */
export function lifecycleRangeQueries(f: QueryFilters = NO_FILTERS): Record<string, string> {
  return {
    ...Object.fromEntries(
      LIFECYCLE_QUANTILES.flatMap((q) => [
        [`time to Running ${pct(q)}`, timeToRunningQuantileQuery(s, q, f, RATE_INTERVAL)],
        [`operator: reconcile duration ${pct(q)}`, reconcileDurationQuantileQuery(s, q, f, RATE_INTERVAL)],
        [`operator: queue wait ${pct(q)}`, workQueueWaitQuantileQuery(s, q, f, RATE_INTERVAL)],
      ])
    ),
    ...Object.fromEntries(
      (['opened', 'failed', 'deleted'] as const).map((k) => [
        `${k} per minute`,
        transitionsPerMinuteQuery(s, k, f, RATE_INTERVAL),
      ])
    ),
    'operator: reconcile rate': reconcileRateQuery(s, f, RATE_INTERVAL),
    'operator: reconcile error rate': reconcileErrorRateQuery(s, f, RATE_INTERVAL),
    'operator: queue depth': workQueueDepthQuery(s, f),
  };
}
