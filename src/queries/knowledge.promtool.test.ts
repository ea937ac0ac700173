/**
 * @jest-environment node
 */
/*
 * The edges of what the pages know (docs/dashboard-semantics.md, "What the pages know"), evaluated by promtool of
 * Prometheus 2.x and 3.x with both label settings. Each class has its own small series; every expected sample is
 * worked out by hand from them (the comments say how), and the comment "before" gives what the queries of main
 * answered, the defect each case pins.
 */
import { PROMETHEUS_BUILDS, versionOf } from '@hexactf/testing/prometheus-builds';
import { ChallengeState, type LabelNames } from '../metric/contract';
import { NO_FILTERS, type QuerySettings } from './common';
import { lastReportQuery, reportingQuery } from './heartbeat';
import { transitionsPerMinuteQuery } from './lifecycle';
import { reconcileErrorsInRangeQuery } from './operatorHealth';
import { challengeStateCountQuery, stateCountOverTimeQuery, stateCountQuery } from './overview';
import { errorInstancesQuery } from './triage';
import { categoryShareQuery } from './usage';
import { userInstancesQuery } from './users';
import { LABEL_SETTINGS, promtoolTestRules, substitute } from './promtool.fixture';
import { formatLabels, type Labels } from './promtool.series.fixture';

const { Running, Deleted, Error: ErrorState } = ChallengeState;

interface Series {
  series: string;
  values: string;
}
interface KCase {
  expr: string;
  at: string;
  exp: Array<[Labels, number]>;
}
interface Group {
  interval: string;
  series: Series[];
  cases: KCase[];
}

const none: Labels = {};

function helpers(L: LabelNames) {
  const id = (user: string, ns = 'ctf', challenge = 'web-1'): Labels => ({
    [L.namespace]: ns,
    [L.challengeId]: challenge,
    [L.challengeName]: `${challenge}-${user}`,
    [L.username]: user,
  });
  const gauge = (user: string, target: Labels, values: string, ns?: string): Series => ({
    series: `challenge_resource_status${formatLabels({ ...id(user, ns), ...target })}`,
    values,
  });
  /** The Challenge controller's reconcile counter of a target (the heartbeat without any Challenge). */
  const reconciles = (target: Labels, values: string): Series => ({
    series: `controller_runtime_reconcile_total${formatLabels({ controller: 'challenge', result: 'success', ...target })}`,
    values,
  });
  return { id, gauge, reconciles };
}

const podA = { job: 'challenge-operator', instance: 'op-a', pod: 'op-a' };
const podB = { job: 'challenge-operator', instance: 'op-b', pod: 'op-b' };

/** `n` values of 15 s steps, `at(i)` giving each one (a number, '_' for none, 'stale'). */
const steps = (n: number, at: (i: number) => string | number) =>
  Array.from({ length: n }, (_, i) => String(at(i))).join(' ');

function groups(s: QuerySettings): Record<string, Group> {
  const { id, gauge, reconciles } = helpers(s.labels);
  const at = (t: number): QuerySettings => ({ ...s, at: t });
  return {
    // Prometheus holds nothing from the operator (a fresh install, another datasource, a range before the event):
    // only an unrelated series. Before: every count 0 (`or vector(0)`), the reconcile errors a green 0.
    'no data': {
      interval: '30s',
      series: [{ series: 'up{job="node"}', values: '1x120' }],
      cases: [
        { expr: reportingQuery(s), at: '60m', exp: [] },
        { expr: lastReportQuery(s, 3600), at: '60m', exp: [] },
        { expr: stateCountQuery(s, Running), at: '60m', exp: [] },
        { expr: stateCountQuery(s, Deleted), at: '60m', exp: [] },
        { expr: stateCountOverTimeQuery(s, Running), at: '60m', exp: [] },
        { expr: challengeStateCountQuery(s, Running), at: '60m', exp: [] },
        { expr: transitionsPerMinuteQuery(s, 'opened'), at: '60m', exp: [] },
        { expr: reconcileErrorsInRangeQuery(s, NO_FILTERS, '1h'), at: '60m', exp: [] },
      ],
    },
    // The operator reports (its controller counter, every 30 s) and exports no Challenge: an empty cluster, 0.
    empty: {
      interval: '30s',
      series: [reconciles(podA, '5+0x120')],
      cases: [
        { expr: reportingQuery(s), at: '60m', exp: [[none, 1]] },
        // The last sample is at 3600 s itself.
        { expr: lastReportQuery(s, 3600), at: '60m', exp: [[none, 3600]] },
        { expr: stateCountQuery(s, Running), at: '60m', exp: [[none, 0]] },
        { expr: stateCountOverTimeQuery(s, Deleted), at: '60m', exp: [[none, 0]] },
        // No transition series at all (the original operator has none), though the operator reports: no figure, not
        // 0 opens (before: a flat 0 line on the Lifecycle page for an operator that counts nothing).
        { expr: transitionsPerMinuteQuery(s, 'opened'), at: '60m', exp: [] },
        // The controller reported in the range and no error counter exists: sum() is empty, the 0 comes from it.
        { expr: reconcileErrorsInRangeQuery(s, NO_FILTERS, '1h'), at: '60m', exp: [[none, 0]] },
      ],
    },
    // carol's instance was in Error under pod op-a until 2700 s (then op-a was replaced: staleness marker at
    // 2730 s); under op-b (a new `pod`/`instance` label) it is Deleted 2760..2820 s, then removed. dave Running
    // throughout keeps the operator reporting. Window 30m at 3600 s: (1800 s, 3600 s].
    // Before: the highest last value across carol's two series (3) was not 2: carol was nowhere (Deleted 0).
    'Deleted across a change of series identity': {
      interval: '30s',
      series: [
        gauge('carol', podA, '3x90 stale'),
        gauge('carol', podB, '_x92 2x2 stale'),
        gauge('dave', podA, '1x90 stale'),
        gauge('dave', podB, '_x92 1x28'),
      ],
      cases: [
        { expr: stateCountQuery(s, Deleted), at: '60m', exp: [[none, 1]] },
        { expr: stateCountQuery(s, ErrorState), at: '60m', exp: [[none, 0]] },
        { expr: stateCountQuery(s, Running), at: '60m', exp: [[none, 1]] },
        { expr: userInstancesQuery(s, 'carol'), at: '60m', exp: [[id('carol'), Deleted]] },
        {
          expr: challengeStateCountQuery(s, Deleted),
          at: '60m',
          exp: [[{ [s.labels.challengeId]: 'web-1' }, 1]],
        },
      ],
    },
    // A leader handover, 15 s steps: the old leader op-a scrapes at even steps (0, 30, ... s) and still exports
    // erin in Error, its stale view, until 3570 s; the new leader op-b scrapes at odd steps (15, 45, ... s) from
    // 3015 s and exports her Running. Both series are current at 3590 s (op-a's 3570 s, op-b's 3585 s): the newest,
    // op-b's Running, is her state. At 3560 s (op-a's 3540 s, op-b's 3555 s) too; at 3000 s only op-a: Error.
    // Before: max picked Error (3) at every scrape of the overlap.
    'leader handover overlap': {
      interval: '15s',
      series: [
        gauge(
          'erin',
          podA,
          steps(239, (i) => (i % 2 === 0 ? 3 : '_'))
        ),
        gauge(
          'erin',
          podB,
          steps(240, (i) => (i >= 201 && i % 2 === 1 ? 1 : '_'))
        ),
      ],
      cases: [
        { expr: stateCountQuery(s, ErrorState), at: '3590s', exp: [[none, 0]] },
        { expr: stateCountQuery(s, Running), at: '3590s', exp: [[none, 1]] },
        { expr: errorInstancesQuery(s), at: '3590s', exp: [] },
        { expr: userInstancesQuery(s, 'erin'), at: '3590s', exp: [[id('erin'), Running]] },
        { expr: stateCountOverTimeQuery(s, ErrorState), at: '3590s', exp: [[none, 0]] },
        { expr: stateCountOverTimeQuery(s, Running), at: '3590s', exp: [[none, 1]] },
        { expr: stateCountQuery(s, Running), at: '3560s', exp: [[none, 1]] },
        { expr: stateCountQuery(s, ErrorState), at: '3000s', exp: [[none, 1]] },
      ],
    },
    // Both pods scraped at the same instants: the newest is a tie, the highest state of it wins (Error over Running,
    // as before the newest-wins form). A value that is no state code (7) is no state: gina counts nowhere, and
    // packing the sample's time with the state cannot turn it into another state.
    'same-instant samples and a value outside the codes': {
      interval: '30s',
      series: [
        gauge('erin', podA, '3x119'),
        gauge('erin', podB, '1x119'),
        gauge('gina', podA, '7x119'),
      ],
      cases: [
        { expr: stateCountQuery(s, ErrorState), at: '3570s', exp: [[none, 1]] },
        { expr: stateCountQuery(s, Running), at: '3570s', exp: [[none, 0]] },
        { expr: userInstancesQuery(s, 'gina'), at: '3570s', exp: [] },
        { expr: errorInstancesQuery(s), at: '3570s', exp: [[id('erin'), ErrorState]] },
      ],
    },
    // One target, scrapes failing 3000..3090 s: Prometheus writes a staleness marker at 3000 s for every series of
    // it (the gauge and the controller counter), nothing until 3120 s. frank Running otherwise.
    // Before: the over-time Running line fell to 0 at 3030 and 3060 s.
    'a short scrape gap': {
      interval: '30s',
      series: [gauge('frank', podA, '1x99 stale _x3 1x16'), reconciles(podA, '2+0x99 stale _x3 2+0x16')],
      cases: [
        { expr: stateCountOverTimeQuery(s, Running), at: '2970s', exp: [[none, 1]] },
        { expr: stateCountOverTimeQuery(s, Running), at: '3030s', exp: [] },
        { expr: stateCountOverTimeQuery(s, Running), at: '3060s', exp: [] },
        { expr: stateCountOverTimeQuery(s, Deleted), at: '3060s', exp: [] },
        { expr: stateCountOverTimeQuery(s, Running), at: '3120s', exp: [[none, 1]] },
        // In the gap the page is last known: the last report is the scrape at 2970 s (not a subquery step).
        { expr: reportingQuery(s), at: '3060s', exp: [] },
        { expr: lastReportQuery(s, 3600), at: '3060s', exp: [[none, 2970]] },
        // The page asks the controller's counter first, the gauge only when it has nothing: the same time here.
        { expr: lastReportQuery(s, 3600, 'controller'), at: '3060s', exp: [[none, 2970]] },
        { expr: lastReportQuery(s, 3600, 'gauge'), at: '3060s', exp: [[none, 2970]] },
      ],
    },
    // A finished event: the operator ran until 1770 s (last scrape; then its pod and the namespace were torn down:
    // staleness markers at 1800 s), nothing since. grace Running, henry in Error, ivan Deleted at 1740..1770 s
    // (Running before). Viewed later, for the range (0 s, 3600 s].
    // Before: no banner (the not-reporting check looked back a fixed day from now) and every count 0 at 3600 s.
    'a past range with the operator gone': {
      interval: '30s',
      series: [
        gauge('grace', podA, '1x59 stale'),
        gauge('henry', podA, '0x3 3x55 stale'),
        gauge('ivan', podA, '1x57 2x1 stale'),
        reconciles(podA, '1+1x59 stale'),
      ],
      cases: [
        { expr: reportingQuery(s), at: '60m', exp: [] },
        // Bounded by the range, not by a lookback: the last report in (0, 3600 s] is 1770 s ...
        { expr: lastReportQuery(s, 3600), at: '60m', exp: [[none, 1770]] },
        // ... and there is none in (1800 s, 3600 s]: no data for that range.
        { expr: lastReportQuery(s, 1800), at: '60m', exp: [] },
        // At the range's end nothing is known (no 0): the page evaluates the window at the last report instead.
        { expr: stateCountQuery(s, Running), at: '60m', exp: [] },
        { expr: stateCountQuery(at(1770), Running), at: '60m', exp: [[none, 1]] },
        { expr: stateCountQuery(at(1770), ErrorState), at: '60m', exp: [[none, 1]] },
        { expr: stateCountQuery(at(1770), Deleted), at: '60m', exp: [[none, 1]] },
        { expr: userInstancesQuery(at(1770), 'ivan'), at: '60m', exp: [[id('ivan'), Deleted]] },
        { expr: errorInstancesQuery(at(1770)), at: '60m', exp: [[id('henry'), ErrorState]] },
        // The same answer whatever the request's time: @ fixes it (a request at 50 m gives the same).
        { expr: stateCountQuery(at(1770), Running), at: '50m', exp: [[none, 1]] },
        // The info metric read at the last report too (no challenge_info here: no category).
        { expr: categoryShareQuery(at(1770)), at: '60m', exp: [] },
      ],
    },
    // The scrape job renamed (a static config replaced by the chart's ServiceMonitor) at 1800 s: the same operator
    // under job hexactf-operator from 1830 s on; the old job's `up` is gone. jack Running throughout.
    // Before: a banner naming the old job for a day and the page moved to 1770 s.
    'a job rename': {
      interval: '30s',
      series: [
        gauge('jack', { job: 'static-operator', instance: '10.0.0.1:8080' }, '1x59 stale'),
        gauge('jack', { job: 'hexactf-operator', instance: '10.0.0.2:8443', pod: 'op-b' }, '_x61 1x59'),
        { series: 'up{job="static-operator", instance="10.0.0.1:8080"}', values: '1x59 stale' },
        { series: 'up{job="hexactf-operator", instance="10.0.0.2:8443"}', values: '_x61 1x59' },
      ],
      cases: [
        { expr: reportingQuery(s), at: '60m', exp: [[none, 1]] },
        { expr: stateCountQuery(s, Running), at: '60m', exp: [[none, 1]] },
        // No controller counter scraped here: its query has nothing, the gauge's gives the last scrape (3600 s).
        { expr: lastReportQuery(s, 3600, 'controller'), at: '60m', exp: [] },
        { expr: lastReportQuery(s, 3600, 'gauge'), at: '60m', exp: [[none, 3600]] },
      ],
    },
    // An outage longer than a day: the operator's last scrape at 2970 s, viewed at 49 h with a 7 d range.
    // Before: no banner (the check looked back one day).
    'an outage longer than a day': {
      interval: '30s',
      series: [gauge('kim', podA, '1x99'), reconciles(podA, '1+0x99')],
      cases: [
        { expr: reportingQuery(s), at: '49h', exp: [] },
        { expr: lastReportQuery(s, 7 * 86400), at: '49h', exp: [[none, 2970]] },
        { expr: stateCountQuery(at(2970), Running), at: '49h', exp: [[none, 1]] },
      ],
    },
  };
}

function promtoolFile(g: Group) {
  return {
    rule_files: [],
    evaluation_interval: g.interval,
    tests: [
      {
        interval: g.interval,
        input_series: g.series,
        promql_expr_test: g.cases.map((c) => ({
          expr: substitute(c.expr),
          eval_time: c.at,
          exp_samples: c.exp.map(([labels, value]) => ({ labels: formatLabels(labels), value })),
        })),
      },
    ],
  };
}

const CLASSES = Object.keys(groups(LABEL_SETTINGS[0][1]));

describe.each(PROMETHEUS_BUILDS)('what the pages know, evaluated by promtool of Prometheus $name', (build) => {
  it('is the promtool of that Prometheus version', () => {
    expect(versionOf(build.promtool)).toMatch(new RegExp(`version ${build.major}\\.`));
  });

  describe.each(LABEL_SETTINGS)('with %s', (_name, settings) => {
    it.each(CLASSES)('%s', (name) => {
      const { status, output } = promtoolTestRules(build, promtoolFile(groups(settings)[name]));
      expect(output).not.toContain('FAILED');
      expect(status).toBe(0);
    });
  });
});
