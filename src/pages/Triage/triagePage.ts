import { SceneAppPage } from '@grafana/scenes';
import { ChallengeState, DEFAULT_STUCK_DELETION_AFTER } from '../../metric/contract';
import { errorInstancesQuery, stuckDeletionsQuery } from '../../queries/triage';
import type { ResolvedSettings } from '../../settings/settings';
import { ROUTES } from '../../constants';
import { prefixRoute } from '../../utils/utils.routing';
import { instancesTable } from '../shared/instancesTable';
import { pageScene } from '../shared/pageScene';
import { ERROR_INSTANCES_DESCRIPTION, stuckDeletionsDescription } from '../shared/descriptions';

export function triageScene(settings: ResolvedSettings) {
  return pageScene(settings, () => [
    instancesTable(settings.labels, {
      key: 'error-instances',
      title: 'Instances in Error',
      description: ERROR_INSTANCES_DESCRIPTION,
      noValue: 'No instance is in Error',
      minHeight: 280,
      settings,
      build: (f, at) => errorInstancesQuery({ ...settings, at }, f),
    }),
    instancesTable(settings.labels, {
      key: 'stuck-deletions',
      title: `Deletions not finished after ${DEFAULT_STUCK_DELETION_AFTER}`,
      description: stuckDeletionsDescription(DEFAULT_STUCK_DELETION_AFTER),
      noValue: 'No unfinished deletion',
      minHeight: 280,
      settings,
      build: (f, at) => stuckDeletionsQuery({ ...settings, at }, f),
    }),
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
