// From the Users x Challenges matrix to a user's page: the drilldown with that user's instances, an address that
// names no user, and the URL-safe user keys.
import { screen } from '@testing-library/react';
import { SceneAppPage } from '@grafana/scenes';

import { DEFAULT_SETTINGS } from '../../settings/settings';
import { prometheusInstantTable } from '../../test/prometheus-table';
import { lastQueriesOf, printedRows, renderScene, setupHarness, viewStatesText } from '../../test/scene-harness';

import { decodeUserKey, encodeUserKey } from './userKey';
import { userScene } from './userPage';
import { usersChallengesPage } from './usersChallengesPage';
import { LEGACY } from '../../test/users-matrix';

describe('Users x Challenges page', () => {
  it("opens a user's page from the drilldown with that user's instances (escaped)", async () => {
    const harness = setupHarness();
    const page = usersChallengesPage(LEGACY);
    const drilldown = page.state.drilldowns![0];
    const odd = 'o"b$x';
    const key = encodeUserKey(odd);
    const userPage = drilldown.getPage({ params: { key }, url: '', path: '', isExact: true }, page) as SceneAppPage;
    expect(userPage.state.title).toBe(odd);
    expect(userPage.state.url).toBe(`/a/hexactf-challenges-app/users-challenges/user/${key}`);
    harness.respond = (q) =>
      q.runner === 'user-instances'
        ? [
            prometheusInstantTable(
              [
                {
                  labels: { namespace: 'ctf', challeng_id: 'web-1', challenge_name: 'web-1-ob', username: odd },
                  value: 3,
                },
              ],
              { timeMs: 1 }
            ),
          ]
        : [];
    await renderScene(userScene(LEGACY, odd));
    expect(lastQueriesOf(harness, 'user-instances')[0].expr).toBe(
      viewStatesText(
        'namespace, username, challeng_id, challenge_name, cluster',
        'challenge_resource_status{username="o\\"b\\x24x"}',
        '2h'
      )
    );
    expect(printedRows(`Instances of ${odd}`)).toEqual([
      ['Namespace', 'User', 'Challenge', 'Name', 'State'],
      ['ctf', odd, 'web-1', 'web-1-ob', 'Error'],
    ]);
  });

  it('says so when a per-user address does not name a user, and queries nothing', async () => {
    const harness = setupHarness();
    const page = usersChallengesPage(DEFAULT_SETTINGS);
    const userPage = page.state.drilldowns![0].getPage(
      { params: { key: 'not base64!' }, url: '', path: '', isExact: true },
      page
    ) as SceneAppPage;
    await renderScene(userPage.getScene({ params: {}, url: '', path: '', isExact: true }));
    expect(screen.getByText('Unknown user link')).toBeInTheDocument();
    expect(harness.queries).toEqual([]);
  });

  it('turns any username into a URL-safe key and back', () => {
    for (const user of ['alice', 'x/y#z?a&"q"', '한글 ü', '', '%2F..\\']) {
      const key = encodeUserKey(user);
      expect(key).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(decodeUserKey(key)).toBe(user);
    }
    expect(decodeUserKey('a/b')).toBeUndefined();
    expect(decodeUserKey('_w')).toBeUndefined(); // not UTF-8
  });
});
