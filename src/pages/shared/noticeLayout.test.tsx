import { screen } from '@testing-library/react';
import type { EmbeddedScene } from '@grafana/scenes';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { renderScene, setupHarness } from '../../test/scene-harness';
import { triageScene } from '../Triage/triagePage';
import { usageScene } from '../Usage/usagePage';
import { userScene } from '../UsersChallenges/userPage';
import { usersChallengesScene } from '../UsersChallenges/usersChallengesPage';

const PAGES: Array<[string, () => EmbeddedScene]> = [
  ['Users x Challenges', () => usersChallengesScene(DEFAULT_SETTINGS)],
  ['Triage', () => triageScene(DEFAULT_SETTINGS)],
  ['user page', () => userScene(DEFAULT_SETTINGS, 'alice')],
  ['Usage', () => usageScene(DEFAULT_SETTINGS)],
];

/** The page's column of flex items: the nearest ancestor of the first panel with empty items (notices) before it. */
function pageColumn(): Element {
  const [firstPanel] = screen.getAllByRole('region');
  for (let item: Element | null = firstPanel; item?.parentElement; item = item.parentElement) {
    let before = item.previousElementSibling;
    while (before && before.textContent !== '') {
      before = before.previousElementSibling;
    }
    if (before) {
      return item.parentElement;
    }
  }
  throw new Error('no notice item before the panels');
}

describe('notices above the panels', () => {
  it.each(PAGES)('%s: a notice that shows nothing takes no height, the panels keep theirs', async (_, scene) => {
    setupHarness();
    await renderScene(scene());
    const items = [...pageColumn().children];
    const empty = items.filter((item) => item.textContent === '');
    const regions = screen.getAllByRole('region');
    const panels = items.filter((item) => regions.some((region) => item.contains(region)));
    // The operator status and the legacy operator notice (and Usage's missing metrics notice) say nothing here.
    expect(empty.length).toBeGreaterThanOrEqual(2);
    for (const item of empty) {
      const style = getComputedStyle(item);
      // A column's flex item without a height grows to share the free space: the blank band above the panels.
      expect([style.flexGrow, style.height, style.minHeight]).toEqual(['0', '', '']);
    }
    expect(panels.length).toBeGreaterThan(0);
    for (const item of panels) {
      const style = getComputedStyle(item);
      expect(style.height !== '' || style.minHeight !== '' || style.flexGrow === '1').toBe(true);
    }
  });
});
