import { screen } from '@testing-library/react';
import { sceneGraph, type SceneObject, type SceneQueryRunner } from '@grafana/scenes';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import {
  LAST_REPORT_GAUGE_REF,
  LAST_REPORT_REF,
  REPORTING_REF,
  STOPPED_CLUSTERS_REF,
} from '../../data/operatorKnowledge';
import {
  instantNumberFrame,
  lastQueriesOf,
  printedNoData,
  printedRows,
  renderScene,
  setupHarness,
  type SceneHarness,
  type SentQuery,
} from '../../test/scene-harness';
import { lifecycleScene } from '../Lifecycle/lifecyclePage';
import { prometheusInstantTable } from '../../test/prometheus-table';
import { overviewScene } from '../Overview/overviewPage';
import { triageScene } from '../Triage/triagePage';
import { usageScene } from '../Usage/usagePage';
import { usersChallengesScene } from '../UsersChallenges/usersChallengesPage';
import { NO_DATA_TITLE, clusterStoppedTitle, formatTime, stoppedTitle } from './OperatorStatusNotice';

const SINCE_S = 1_767_000_000;
/** PromQL's @ modifier with a time (not the matrix column's separator ' @ '). */
const AT_MODIFIER = / @ [0-9]/;
const PAGES: Array<[string, (s: typeof DEFAULT_SETTINGS) => SceneObject]> = [
  ['Overview', overviewScene],
  ['Users x Challenges', usersChallengesScene],
  ['Usage', usageScene],
  ['Triage', triageScene],
  ['Lifecycle', lifecycleScene],
];
/** The runners of each page that evaluate the window's instant figures (at the last report while last known). */
const WINDOW_RUNNERS: Record<string, string[]> = {
  Overview: ['state-counts'],
  'Users x Challenges': ['matrix'],
  Usage: ['capacity'],
  Triage: ['error-instances', 'stuck-deletions'],
  Lifecycle: [],
};

const isCheck = (q: SentQuery) =>
  [REPORTING_REF, LAST_REPORT_REF, LAST_REPORT_GAUGE_REF, STOPPED_CLUSTERS_REF].includes(q.refId);
const pageQueries = (harness: SceneHarness) => harness.queries.filter((q) => !isCheck(q) && q.runner);

/** Every count answers 0 (the operator reports and nothing is in that state), the rest nothing. */
const EMPTY_CLUSTER: SceneHarness['respond'] = (q) =>
  q.runner === 'state-counts'
    ? [prometheusInstantTable([{ labels: {}, value: 0 }], { timeMs: 1, refId: q.refId })]
    : [];

async function render(
  build: (s: typeof DEFAULT_SETTINGS) => SceneObject,
  operator: SceneHarness['operator'],
  respond = EMPTY_CLUSTER,
  clusters: string[] = []
) {
  const harness = setupHarness();
  harness.operator = operator;
  harness.labelValues = { cluster: clusters };
  harness.respond = respond;
  const scene = build(DEFAULT_SETTINGS);
  await renderScene(scene);
  return { harness, scene };
}

describe('what the pages know of the operator', () => {
  it('asks once per page run, for the page range, from the heartbeat (no job, no fixed lookback)', async () => {
    // Live: is the operator reporting at the range's end, and (once the page's queries have answered, for the banner
    // alone, with several clusters) which clusters stopped.
    const live = await render(overviewScene, { kind: 'live' }, EMPTY_CLUSTER, ['a', 'b']);
    expect(live.harness.queries.filter(isCheck).map((q) => q.refId)).toEqual([REPORTING_REF, STOPPED_CLUSTERS_REF]);
    expect(live.harness.queries.find(isCheck)!.expr).toBe(
      'group(challenge_resource_status or (controller_runtime_reconcile_total{controller="challenge"} unless ignoring (controller, result, name) (leader_election_master_status == 0)))'
    );
    // Not reporting: then the last report, from the controller's counter (a handful of series) first. (No stopped
    // clusters' question: it is asked only while live.)
    const last = await render(overviewScene, { kind: 'lastKnown', sinceS: SINCE_S });
    const checks = last.harness.queries.filter(isCheck);
    expect(checks.map((q) => q.refId)).toEqual([REPORTING_REF, LAST_REPORT_REF]);
    // The default range is 6 h: the subquery spans it, at 2 m steps (about 200 of them).
    expect(checks[1].expr).toBe(
      'max(max_over_time(((timestamp(controller_runtime_reconcile_total{controller="challenge"}) unless ignoring (controller, result, name) (leader_election_master_status == 0)))[21600s:120s]))'
    );
    // Nothing from the controller: the gauge's last sample is asked (here, nothing either: no data).
    const none = await render(overviewScene, { kind: 'noData' });
    expect(none.harness.queries.filter(isCheck).map((q) => q.refId)).toEqual([
      REPORTING_REF,
      LAST_REPORT_REF,
      LAST_REPORT_GAUGE_REF,
    ]);
    expect(none.harness.queries.filter(isCheck)[2].expr).toBe(
      'max(max_over_time((timestamp(challenge_resource_status))[21600s:120s]))'
    );
  });

  it.each(PAGES)(
    'on %s, live: no notice, the queries at the range end, an empty cluster shows 0',
    async (page, build) => {
      const { harness } = await render(build, { kind: 'live' });
      expect(screen.queryByText(NO_DATA_TITLE)).toBeNull();
      expect(screen.queryByText(/stopped reporting/)).toBeNull();
      for (const q of pageQueries(harness)) {
        expect(q.expr).not.toMatch(AT_MODIFIER);
      }
      if (page === 'Overview') {
        expect(printedRows('Running').map((row) => row.at(-1))).toEqual(['Running', '0']);
      }
    }
  );

  it.each(PAGES)(
    'on %s, last known: a banner with the last report, the window evaluated @ it, the range not moved',
    async (page, build) => {
      const { harness, scene } = await render(build, { kind: 'lastKnown', sinceS: SINCE_S });
      const before = sceneGraph.getTimeRange(scene).state.value;
      expect(screen.getByText(stoppedTitle(SINCE_S))).toBeInTheDocument();
      expect(
        screen.getByText(new RegExp(`show the last known state, as of ${formatTime(SINCE_S * 1000)}`))
      ).toBeInTheDocument();
      for (const runner of WINDOW_RUNNERS[page]) {
        const queries = lastQueriesOf(harness, runner);
        expect(queries.length).toBeGreaterThan(0);
        for (const q of queries) {
          expect(q.expr).toContain(`@ ${SINCE_S}`);
        }
      }
      // Range queries (over time, peaks, lifecycle) stay over the page's range: no @.
      for (const q of pageQueries(harness).filter((q) => !WINDOW_RUNNERS[page].includes(q.runner))) {
        expect(q.expr).not.toMatch(AT_MODIFIER);
      }
      // The page's time range is what it was (one time range, not moved to the last report).
      const after = sceneGraph.getTimeRange(scene).state.value;
      expect(after.to.valueOf()).toBe(before.to.valueOf());
      expect(after.to.valueOf()).not.toBe(SINCE_S * 1000);
    }
  );

  it.each(PAGES)('on %s, no data: a notice, nothing shown, the stats say No data (never 0)', async (page, build) => {
    // Every page query is answered a figure, which must not be shown.
    const { harness, scene } = await render(build, { kind: 'noData' }, (q) => [instantNumberFrame(q.refId, 7)]);
    expect(screen.getByText(NO_DATA_TITLE)).toBeInTheDocument();
    expect(screen.getByText(/this is not an empty cluster/)).toBeInTheDocument();
    // The runners' queries went out beside the check (one wave, not two): whatever they were answered is not shown,
    // and nothing is asked at a last report.
    for (const runner of WINDOW_RUNNERS[page]) {
      for (const q of lastQueriesOf(harness, runner)) {
        expect(q.expr).not.toMatch(AT_MODIFIER);
      }
      expect(runnerData(scene, runner)).toEqual([]);
    }
    // No panel's empty text speaks for the cluster ("No instance is in Error"): each says No data.
    const emptyTexts = [...document.querySelectorAll('[data-testid="no-data"]')].map((e) => e.textContent);
    expect(emptyTexts.length).toBeGreaterThan(0);
    expect(emptyTexts.filter((t) => t !== 'No data')).toEqual([]);
    if (page === 'Overview') {
      expect(runnerData(scene, 'counts-over-time')).toEqual([]);
      for (const state of ['Pending', 'Running', 'Deleted', 'Error']) {
        expect(printedNoData(state)).toBe('No data');
      }
    }
  });

  it.each(PAGES)(
    "on %s, one cluster stopped while another reports: that cluster's banner line, the figures live",
    async (page, build) => {
      const { harness } = await render(
        build,
        { kind: 'live', stoppedClusters: [{ cluster: 'b', sinceS: SINCE_S }] },
        EMPTY_CLUSTER,
        ['a', 'b']
      );
      expect(screen.getByText(clusterStoppedTitle('b', SINCE_S))).toBeInTheDocument();
      expect(screen.getByText(/cluster b's instances are not counted as current/)).toBeInTheDocument();
      // The page as a whole is live: no page-level banner, the figures at the range's end.
      expect(screen.queryByText(stoppedTitle(SINCE_S))).toBeNull();
      for (const q of pageQueries(harness)) {
        expect(q.expr).not.toMatch(AT_MODIFIER);
      }
      // Asked once the page is live: the stopped clusters, by the cluster label.
      const stopped = harness.queries.filter((q) => q.refId === STOPPED_CLUSTERS_REF);
      expect(stopped.length).toBeGreaterThan(0);
      expect(stopped[0].expr).toContain('unless on (cluster) group by (cluster)');
      // ...after the page's own queries (it reads the gauge at every step of the range: it must not hold their
      // answers, nor share Prometheus with them).
      const firstStopped = harness.queries.findIndex((q) => q.refId === STOPPED_CLUSTERS_REF);
      const sentBefore = harness.queries.slice(0, firstStopped).filter((q) => !isCheck(q) && q.runner);
      const runners = (queries: typeof sentBefore) => [...new Set(queries.map((q) => q.runner))].sort();
      expect(runners(sentBefore)).toEqual(runners(pageQueries(harness)));
      expect(sentBefore.length).toBeGreaterThan(0);
    }
  );

  it('with one cluster or none, no cluster banner: nothing is listed as stopped', async () => {
    await render(overviewScene, { kind: 'live' });
    expect(screen.queryByText(/^Cluster .* stopped reporting/)).toBeNull();
  });

  it.each([[[]], [['a']]])(
    'with clusters %j the stopped-clusters question (the gauge at every step) is not asked at all',
    async (clusters) => {
      const { harness } = await render(overviewScene, { kind: 'live' }, EMPTY_CLUSTER, clusters);
      expect(harness.queries.some((q) => q.refId === REPORTING_REF)).toBe(true);
      expect(harness.queries.filter((q) => q.refId === STOPPED_CLUSTERS_REF)).toEqual([]);
    }
  );

  it('after a recovery the next run is live again by itself', async () => {
    const { harness, scene } = await render(overviewScene, { kind: 'lastKnown', sinceS: SINCE_S });
    expect(screen.getByText(stoppedTitle(SINCE_S))).toBeInTheDocument();
    harness.operator = { kind: 'live' };
    // A refresh: the relative range is evaluated again (a new end), so the check is asked again.
    await renderAgain(scene);
    expect(screen.queryByText(stoppedTitle(SINCE_S))).toBeNull();
    expect(lastQueriesOf(harness, 'state-counts')[0].expr).not.toMatch(AT_MODIFIER);
  });
});

/** The series a runner of the scene holds (what its panel shows). */
function runnerData(scene: SceneObject, key: string) {
  return (sceneGraph.findByKey(scene, key) as SceneQueryRunner).state.data?.series;
}

async function renderAgain(scene: SceneObject) {
  const { act } = await import('@testing-library/react');
  const { settle } = await import('../../test/scene-harness');
  await new Promise((r) => setTimeout(r, 5));
  await act(async () => sceneGraph.getTimeRange(scene).onRefresh());
  await settle();
}
