import { screen } from '@testing-library/react';
import { dateTime } from '@grafana/data';
import { sceneGraph } from '@grafana/scenes';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { prometheusInstantTable } from '../../test/prometheus-table';
import { lastQueriesOf, renderScene, setupHarness } from '../../test/scene-harness';
import { overviewScene } from '../Overview/overviewPage';
import { triageScene } from '../Triage/triagePage';
import { usageScene } from '../Usage/usagePage';
import { usersChallengesScene } from '../UsersChallenges/usersChallengesPage';

const SINCE_S = 1_767_000_000;
const TITLE = 'The Challenge operator is not reporting (job challenge-operator)';

/** The stand-in Prometheus answers the status query: the operator's job silent since SINCE_S. */
function operatorDown() {
  const harness = setupHarness();
  harness.respond = (q) =>
    q.runner === 'operator-status'
      ? [prometheusInstantTable([{ labels: { job: 'challenge-operator' }, value: SINCE_S }], { timeMs: 1 })]
      : [];
  return harness;
}

describe('operator status banner', () => {
  it('asks about now with the silence query on every page', async () => {
    for (const scene of [overviewScene, usersChallengesScene, usageScene, triageScene]) {
      const harness = setupHarness();
      await renderScene(scene(DEFAULT_SETTINGS));
      const [status] = lastQueriesOf(harness, 'operator-status');
      expect(status.expr).toContain('unless on (job) (up == 1)');
      expect(status.expr).toContain('last_over_time(challenge_resource_status[1d])');
    }
  });

  it('says nothing while the operator reports', async () => {
    setupHarness();
    await renderScene(overviewScene(DEFAULT_SETTINGS));
    expect(screen.queryByText(TITLE)).toBeNull();
  });

  it.each([
    ['Overview', overviewScene],
    ['Users x Challenges', usersChallengesScene],
    ['Usage', usageScene],
    ['Triage', triageScene],
  ])('on %s: says so with since when, and shows the last known state at that time', async (_page, build) => {
    operatorDown();
    const scene = build(DEFAULT_SETTINGS);
    await renderScene(scene);
    const when = dateTime(SINCE_S * 1000).format('YYYY-MM-DD HH:mm:ss');
    expect(screen.getByText(TITLE)).toBeInTheDocument();
    expect(screen.getByText(new RegExp(`No fresh state from the operator since ${when}`))).toBeInTheDocument();
    expect(screen.getByText(new RegExp(`show the last known state, at ${when}`))).toBeInTheDocument();
    // The page's time range now ends at the last report (the 6 h span kept), so instant panels read that moment.
    const range = sceneGraph.getTimeRange(scene).state.value;
    expect(range.to.valueOf()).toBe(SINCE_S * 1000);
    expect(range.to.valueOf() - range.from.valueOf()).toBe(6 * 3600 * 1000);
  });
});
