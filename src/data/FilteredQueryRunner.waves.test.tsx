import { DEFAULT_SETTINGS } from '../settings/settings';
import { renderScene, settle, setupHarness } from '../test/scene-harness';
import { usersChallengesScene } from '../pages/UsersChallenges/usersChallengesPage';
import { REPORTING_REF } from './operatorKnowledge';

describe('FilteredQueryRunner: few sequential Prometheus waves', () => {
  it('with every filter at All, the matrix goes out with the check before the label values answer, once', async () => {
    const harness = setupHarness();
    harness.labelValues = { username: ['alice', 'bob'], challenge_id: ['web-1'], namespace: ['ctf'] };
    let answer: () => void = () => undefined;
    harness.labelValuesAnswered = new Promise<void>((resolve) => (answer = resolve));
    await renderScene(usersChallengesScene(DEFAULT_SETTINGS));

    // The label values are still on their way: the check and the matrix went out beside them, not after them.
    expect(harness.variableQueries.length).toBeGreaterThan(0);
    expect(harness.queries.some((q) => q.refId === REPORTING_REF)).toBe(true);
    const matrix = () => harness.queries.filter((q) => q.runner === 'matrix');
    expect(matrix().length).toBeGreaterThan(0);
    const sent = matrix().length;

    // The filters then read "All" (from nothing yet): the same queries, not sent again.
    answer();
    await settle();
    expect(matrix()).toHaveLength(sent);
  });
});
