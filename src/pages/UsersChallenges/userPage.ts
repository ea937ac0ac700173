import { DataTransformerID } from '@grafana/data';
import {
  EmbeddedScene,
  PanelBuilders,
  SceneAppPage,
  SceneDataTransformer,
  SceneFlexItem,
  SceneReactObject,
  type SceneAppPageLike,
} from '@grafana/scenes';
import { TableCellDisplayMode } from '@grafana/schema';
import { stateValueMappings } from '../../metric/contract';
import { userInstancesQuery } from '../../queries/queries';
import type { ResolvedSettings } from '../../settings/settings';
import { FilteredQueryRunner } from '../shared/FilteredQueryRunner';
import { pageScene } from '../shared/pageScene';
import { instantTable } from '../shared/promQueries';
import { instanceColumns } from '../shared/instanceColumns';
import { UnknownUserMessage } from './UnknownUserMessage';
import { decodeUserKey } from './userKey';

/** One user's instances: namespace, challenge, Challenge name and last state within `$window`. */
export function userScene(settings: ResolvedSettings, user: string) {
  const runner = new FilteredQueryRunner({
    key: 'user-instances',
    build: (f) => [instantTable('A', userInstancesQuery(settings, user, f))],
  });
  const data = new SceneDataTransformer({
    $data: runner,
    transformations: [{ id: DataTransformerID.organize, options: instanceColumns(settings.labels, 'State') }],
  });
  return pageScene(
    settings,
    () => [
      new SceneFlexItem({
        minHeight: 300,
        body: PanelBuilders.table()
          .setTitle(`Instances of ${user}`)
          .setData(data)
          .setNoValue(`No instances of ${user} in the window`)
          .setOverrides((b) =>
            b
              .matchFieldsWithName('State')
              .overrideMappings(stateValueMappings())
              .overrideCustomFieldConfig('cellOptions', { type: TableCellDisplayMode.ColorBackground })
          )
          .build(),
      }),
    ],
    { window: true, filters: ['namespace', 'challenge'] }
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
