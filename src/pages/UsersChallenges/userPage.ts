import { EmbeddedScene, SceneAppPage, SceneReactObject, type SceneAppPageLike } from '@grafana/scenes';
import { userInstancesQuery } from '../../queries/users';
import type { ResolvedSettings } from '../../settings/settings';
import { instancesTable } from '../shared/instancesTable';
import { pageScene } from '../shared/pageScene';
import { userInstancesDescription } from '../shared/descriptions';
import { UnknownUserMessage } from './UnknownUserMessage';
import { decodeUserKey } from './userKey';

/** One user's instances: namespace, challenge, Challenge name and last state within `$window`. */
export function userScene(settings: ResolvedSettings, user: string) {
  return pageScene(
    settings,
    () => [
      instancesTable(settings.labels, {
        key: 'user-instances',
        title: `Instances of ${user}`,
        description: userInstancesDescription(user),
        noValue: `No instances of ${user} in the window`,
        minHeight: 300,
        settings,
        build: (f, at) => userInstancesQuery({ ...settings, at }, user, f),
      }),
    ],
    { window: true, filters: ['namespace', 'challengeId'] }
  );
}

/** The per-user drilldown page under `parent` (the Users x Challenges page), for the user a link's key names. */
export function userPage(settings: ResolvedSettings, parent: SceneAppPageLike, parentUrl: string, key: string) {
  const user = decodeUserKey(key);
  return new SceneAppPage({
    title: user ?? 'Unknown user',
    subTitle: 'Instances of one user',
    url: `${parentUrl}/user/${key}`,
    // A trailing /* as React Router wants for a route that renders descendant <Routes> (the page's own).
    routePath: 'user/:key/*',
    getParentPage: () => parent,
    getScene: () =>
      user === undefined
        ? new EmbeddedScene({ body: new SceneReactObject({ component: UnknownUserMessage }) })
        : userScene(settings, user),
  });
}
