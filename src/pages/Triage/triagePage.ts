import { DataTransformerID } from '@grafana/data';
import { PanelBuilders, SceneAppPage, SceneDataTransformer, SceneFlexItem } from '@grafana/scenes';
import { TableCellDisplayMode } from '@grafana/schema';
import { ChallengeState, DEFAULT_STUCK_DELETION_AFTER, stateValueMappings } from '../../metric/contract';
import { errorInstancesQuery, stuckDeletionsQuery, type QueryFilters } from '../../queries/queries';
import type { ResolvedSettings } from '../../settings/settings';
import { ROUTES } from '../../constants';
import { prefixRoute } from '../../utils/utils.routing';
import { FilteredQueryRunner } from '../shared/FilteredQueryRunner';
import { instanceColumns } from '../shared/instanceColumns';
import { pageScene } from '../shared/pageScene';
import { instantTable } from '../shared/promQueries';

/** A table of instances (namespace, user, challenge, name, state) from an instant query of the four labels. */
function instancesTable(
  settings: ResolvedSettings,
  key: string,
  title: string,
  noValue: string,
  build: (f: QueryFilters) => string
) {
  const runner = new FilteredQueryRunner({
    key,
    build: (f) => [instantTable('A', build(f))],
  });
  const data = new SceneDataTransformer({
    $data: runner,
    transformations: [{ id: DataTransformerID.organize, options: instanceColumns(settings.labels, 'State') }],
  });
  return new SceneFlexItem({
    minHeight: 280,
    body: PanelBuilders.table()
      .setTitle(title)
      .setData(data)
      .setNoValue(noValue)
      .setOverrides((b) =>
        b
          .matchFieldsWithName('State')
          .overrideMappings(stateValueMappings())
          .overrideCustomFieldConfig('cellOptions', { type: TableCellDisplayMode.ColorBackground })
      )
      .build(),
  });
}

export function triageScene(settings: ResolvedSettings) {
  return pageScene(settings, () => [
    instancesTable(settings, 'error-instances', 'Instances in Error', 'No instance is in Error', (f) =>
      errorInstancesQuery(settings, f)
    ),
    instancesTable(
      settings,
      'stuck-deletions',
      `Deletions not finished after ${DEFAULT_STUCK_DELETION_AFTER}`,
      'No unfinished deletion',
      (f) => stuckDeletionsQuery(settings, f)
    ),
  ]);
}

export function triagePage(settings: ResolvedSettings) {
  return new SceneAppPage({
    title: 'Triage',
    subTitle: `Instances in ${ChallengeState[ChallengeState.Error]} now, and deletions that have not finished`,
    url: prefixRoute(ROUTES.Triage),
    routePath: `${ROUTES.Triage}/*`,
    getScene: () => triageScene(settings),
  });
}
