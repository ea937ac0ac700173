import { screen, within } from '@testing-library/react';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { renderScene, setupHarness } from '../../test/scene-harness';
import { triageScene } from '../Triage/triagePage';
import { userScene } from '../UsersChallenges/userPage';
import { usersChallengesScene } from '../UsersChallenges/usersChallengesPage';

describe('time controls', () => {
  it.each([
    ['Users x Challenges', () => usersChallengesScene(DEFAULT_SETTINGS)],
    ['Triage', () => triageScene(DEFAULT_SETTINGS)],
    ['user page', () => userScene(DEFAULT_SETTINGS, 'alice')],
  ])('%s: the refresh button sits with the time picker, in one row that does not wrap', async (_, scene) => {
    setupHarness();
    await renderScene(scene());
    const controls = screen.getByTestId('time-controls');
    expect(within(controls).getByRole('button', { name: /Refresh/ })).toBeInTheDocument();
    expect(within(controls).getByTestId(/TimePicker Open Button/)).toBeInTheDocument();
    expect(getComputedStyle(controls).flexWrap).toBe('nowrap');
  });
});
