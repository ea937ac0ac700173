import { locationService } from '@grafana/runtime';
import type { EmbeddedScene } from '@grafana/scenes';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { setupHarness } from '../../test/scene-harness';
import { renderUrlSyncedPage } from '../../test/url-sync';
import { lifecycleScene } from '../Lifecycle/lifecyclePage';
import { overviewScene } from '../Overview/overviewPage';
import { triageScene } from '../Triage/triagePage';
import { usageScene } from '../Usage/usagePage';
import { userScene } from '../UsersChallenges/userPage';
import { usersChallengesScene } from '../UsersChallenges/usersChallengesPage';

const PAGES: Array<[string, () => EmbeddedScene]> = [
  ['Overview', () => overviewScene(DEFAULT_SETTINGS)],
  ['Users x Challenges', () => usersChallengesScene(DEFAULT_SETTINGS)],
  ['user page', () => userScene(DEFAULT_SETTINGS, 'alice')],
  ['Usage', () => usageScene(DEFAULT_SETTINGS)],
  ['Triage', () => triageScene(DEFAULT_SETTINGS)],
  ['Lifecycle', () => lifecycleScene(DEFAULT_SETTINGS)],
];

describe('the URL of a page', () => {
  it.each(PAGES)('%s holds one time range: from, to and timezone, no second copy', async (_, scene) => {
    setupHarness();
    await renderUrlSyncedPage(scene(), '?from=now-1h&to=now');
    const keys = [...locationService.getSearch().keys()];
    // A second URL-synced time range would add from-2, to-2 and timezone-2.
    expect(keys.filter((key) => /^(from|to|timezone|time|time\.window)(-\d+)?$/.test(key)).sort()).toEqual([
      'from',
      'timezone',
      'to',
    ]);
    expect(locationService.getSearch().get('from')).toBe('now-1h');
  });
});
