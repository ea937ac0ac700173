import { screen, waitFor } from '@testing-library/react';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import {
  instantNumberFrame,
  lastQueriesOf,
  LEGACY_SETTINGS,
  renderScene,
  setupHarness,
} from '../../test/scene-harness';
import { overviewScene } from '../Overview/overviewPage';
import { triageScene } from '../Triage/triagePage';

const TITLE = 'This looks like the original HexaCTF operator';

/** The stand-in Prometheus: gauge series with challeng_id or not, challenge_info or not. */
function exporter(legacyLabel: boolean, info: boolean) {
  const harness = setupHarness();
  harness.respond = (q) =>
    q.runner === 'legacy-operator'
      ? [instantNumberFrame(q.refId, (q.refId === 'info' ? info : legacyLabel) ? 1 : 0)]
      : [];
  return harness;
}

describe('legacy operator notice', () => {
  it('asks only for the challeng_id label on the gauge while no series has it', async () => {
    const harness = exporter(false, true);
    await renderScene(triageScene(DEFAULT_SETTINGS));
    expect(lastQueriesOf(harness, 'legacy-operator').map((q) => [q.refId, q.expr])).toEqual([
      ['legacyLabel', '(count(last_over_time(challenge_resource_status{challeng_id!=""}[1h])) > bool 0) or vector(0)'],
    ]);
  });

  it('then asks for challenge_info over the same fixed hour', async () => {
    const harness = exporter(true, true);
    await renderScene(triageScene(DEFAULT_SETTINGS));
    await waitFor(() =>
      expect(lastQueriesOf(harness, 'legacy-operator').map((q) => [q.refId, q.expr])).toEqual([
        [
          'legacyLabel',
          '(count(last_over_time(challenge_resource_status{challeng_id!=""}[1h])) > bool 0) or vector(0)',
        ],
        ['info', '(count(last_over_time(challenge_info[1h])) > bool 0) or vector(0)'],
      ])
    );
  });

  it.each([
    ['this project’s operator', false, true],
    ['this project’s operator relabelled to challeng_id', true, true],
    ['no gauge at all', false, false],
  ])('says nothing for %s', async (_name, legacyLabel, info) => {
    exporter(legacyLabel, info);
    await renderScene(overviewScene(LEGACY_SETTINGS));
    expect(screen.queryByText(TITLE)).toBeNull();
  });

  it('says what can and cannot be shown for the original operator', async () => {
    exporter(true, false);
    await renderScene(overviewScene(LEGACY_SETTINGS));
    expect(screen.getByText(TITLE)).toBeInTheDocument();
    expect(screen.getByText(/The app is set up for that label/)).toBeInTheDocument();
    expect(screen.getByText(/Not shown: categories and requested CPU and memory/)).toBeInTheDocument();
    expect(screen.getByText(/after a restart those instances are missing from every page/)).toBeInTheDocument();
  });

  it('tells to set the label when the settings still use challenge_id', async () => {
    exporter(true, false);
    await renderScene(triageScene(DEFAULT_SETTINGS));
    expect(screen.getByText(/set the challenge id label to challeng_id on the configuration page/)).toBeInTheDocument();
  });
});
