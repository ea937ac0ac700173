import { PanelBuilders, SceneAppPage, SceneDataTransformer, SceneFlexItem } from '@grafana/scenes';
import { FieldType } from '@grafana/data';
import { MATRIX_COLUMN_LABEL, matrixPivotLabels, matrixQuery } from '../../queries/users';
import { displayName } from '../../settings/labelRoles';
import type { ResolvedSettings } from '../../settings/settings';
import { perClusterColumnsOperator } from '../../transforms/clusterColumn';
import { clusterLabelOf } from '../../queries/common';
import { matrixPivotOperator, matrixRowField, singleNamespaceColumnsOperator } from '../../transforms/matrix';
import { ROUTES } from '../../constants';
import { prefixRoute } from '../../utils/utils.routing';
import { FilteredQueryRunner } from '../../data/FilteredQueryRunner';
import { pageScene } from '../shared/pageScene';
import { instantTable } from '../../data/promQuery';
import { stateCells } from '../shared/stateStyles';
import { VIEW_STATE_DESCRIPTION } from '../shared/descriptions';
import { CsvExportButton } from './CsvExportButton';
import { userPage } from './userPage';
import { USER_KEY_MACRO } from './userKey';

const PAGE_URL = prefixRoute(ROUTES.UsersChallenges);

/**
 * The link from a user's row to their page: the time range, the datasource and the window go along. Not the
 * filters: Grafana's URL sanitizer decodes the link, so a value holding `&` or `#` would break the query string.
 */
export const USER_LINK = `${PAGE_URL}/user/\${${USER_KEY_MACRO}}?\${__url_time_range}&\${ds:queryparam}&\${window:queryparam}`;

/**
 * The HexaCTF write-up's user x challenge matrix: each instance's last state within `$window`, pivoted to one row per user and
 * one column per challenge, cells named and coloured by state.
 */
function matrixPanel(settings: ResolvedSettings) {
  const runner = new FilteredQueryRunner({
    key: 'matrix',
    settings,
    operatorKnowledge: 'window',
    build: (f, _recordingRules, at) => [instantTable('A', matrixQuery({ ...settings, at }, f))],
  });
  const pivot = matrixPivotLabels(settings.labels);
  // Columns per (challenge, namespace) when the answer holds several namespaces: decided from the data.
  const columns = singleNamespaceColumnsOperator({
    challengeId: settings.labels.challengeId,
    namespace: settings.labels.namespace,
    column: MATRIX_COLUMN_LABEL,
  });
  // And per cluster when it holds several: two clusters' instances are never one cell.
  const clusterColumns = perClusterColumnsOperator({ cluster: clusterLabelOf(settings), column: MATRIX_COLUMN_LABEL });
  const data = new SceneDataTransformer({
    $data: runner,
    // One pass over the answer; a dashboard built from this panel holds the standard steps it stands for.
    transformations: [columns, clusterColumns, matrixPivotOperator(pivot, displayName('username'))],
  });
  return (
    PanelBuilders.table()
      .setTitle('Users x Challenges')
      .setDescription(`A row per user, a column per challenge. ${VIEW_STATE_DESCRIPTION}`)
      .setData(data)
      // No noValue: Grafana shows it in every null cell too, and a missing (user, challenge) pair must stay empty.
      // The cells are the numeric fields (a column per challenge; null keeps a column numeric), the rows the string one.
      .setOverrides((b) =>
        stateCells(b.matchFieldsByType(FieldType.number))
          // The row field keeps its internal name under the header the organize step gives it.
          .matchFieldsWithName(matrixRowField(pivot))
          .overrideLinks([{ title: 'Instances of ${__value.text}', url: USER_LINK }])
      )
      .setHeaderActions([new CsvExportButton({ filename: 'users-x-challenges.csv' })])
      .build()
  );
}

export function usersChallengesScene(settings: ResolvedSettings) {
  return pageScene(settings, () => [new SceneFlexItem({ minHeight: 500, body: matrixPanel(settings) })], {
    window: true,
  });
}

export function usersChallengesPage(settings: ResolvedSettings) {
  return new SceneAppPage({
    title: 'Users x Challenges',
    subTitle: 'Last state of every instance, per user and challenge; select a user to see their instances',
    url: PAGE_URL,
    routePath: `${ROUTES.UsersChallenges}/*`,
    getScene: () => usersChallengesScene(settings),
    drilldowns: [
      {
        routePath: 'user/:key/*',
        getPage: (match, parent) => userPage(settings, parent, PAGE_URL, match.params.key),
      },
    ],
  });
}
