import { DataTransformerID } from '@grafana/data';
import {
  PanelBuilders,
  SceneAppPage,
  SceneDataTransformer,
  SceneFlexItem,
  type SceneFlexItemLike,
} from '@grafana/scenes';
import { BigValueColorMode, BigValueGraphMode, LegendDisplayMode } from '@grafana/schema';
import { ChallengeState, stateInfo } from '../../metric/contract';
import {
  LIFECYCLE_QUANTILES,
  lifetimeDistributionQuery,
  lifetimeQuantileQuery,
  timeToRunningByDefinitionQuery,
  timeToRunningQuantileQuery,
  transitionsPerMinuteQuery,
  type TransitionKind,
} from '../../queries/lifecycle';
import type { ResolvedSettings } from '../../settings/settings';
import { CLUSTER_ROLE } from '../../settings/clusterRole';
import { clusterLabelOf } from '../../queries/common';
import { clusterColumnWhenSeveralOperator } from '../../transforms/clusterColumn';
import { ROUTES } from '../../constants';
import { prefixRoute } from '../../utils/utils.routing';
import { noticeItem, pageScene } from '../shared/pageScene';
import { MissingLifecycleMetricsNotice } from './MissingLifecycleMetricsNotice';
import { instantSeries, instantTable, rangeSeries } from '../../data/promQuery';
import { finiteOnlyOperator, lifetimeBucketsOperator } from '../../transforms/lifecycle';
import { quantileColors, quantityColor } from '../shared/chartColors';
import { stateColor } from '../shared/stateStyles';
import { operatorHealth } from './operatorHealth';
import { lifecycleRunner, percentile, quantileSteps, row, through } from './panelParts';

/** How long players wait for their instance: over time, and per definition over the range. */
function timeToRunning(s: ResolvedSettings): SceneFlexItemLike {
  return row(320, [
    PanelBuilders.timeseries()
      .setTitle('Time to Running')
      .setDescription(
        'How long instances that got Running waited for it, from Pending to Running (p50, p90, p99 of those that got ' +
          'there at each step). All the clusters shown together: the Cluster filter narrows it. No point where none did.'
      )
      .setData(
        quantileSteps(
          lifecycleRunner('time-to-running', s, (f) =>
            LIFECYCLE_QUANTILES.map((q) =>
              rangeSeries(percentile(q), timeToRunningQuantileQuery(s, q, f), percentile(q))
            )
          )
        )
      )
      .setUnit('s')
      .setOverrides(quantileColors(LIFECYCLE_QUANTILES.map(percentile)))
      .setNoValue('No instance got Running in the range')
      .build(),
    PanelBuilders.table()
      .setTitle('Time to Running per definition')
      .setDescription("Over the dashboard range: p50, p90 and p99 of the wait of each definition's instances.")
      .setData(
        new SceneDataTransformer({
          $data: lifecycleRunner('time-to-running-by-definition', s, (f) =>
            LIFECYCLE_QUANTILES.map((q) => instantTable(percentile(q), timeToRunningByDefinitionQuery(s, q, f)))
          ),
          transformations: [finiteOnlyOperator('rows'), ...perDefinitionColumns(clusterLabelOf(s))],
        })
      )
      .setUnit('s')
      .setNoValue('No instance got Running in the range')
      .build(),
  ]);
}

/**
 * The per-definition quantile tables as one table: a row per definition (in name order, stable from one load to the
 * next), a column per quantile named after it; without it the table shows one frame (p50) with Prometheus' `Time`
 * and `Value #p50` columns. A Cluster column when the answer holds several clusters: two clusters' definitions of
 * one name are two rows.
 */
function perDefinitionColumns(cluster: string) {
  const values = Object.fromEntries(LIFECYCLE_QUANTILES.map((q) => [`Value #${percentile(q)}`, percentile(q)]));
  const names = ['definition', cluster, ...Object.keys(values)];
  return [
    { id: DataTransformerID.merge, options: {} },
    {
      id: DataTransformerID.organize,
      options: {
        includeByName: Object.fromEntries(names.map((n) => [n, true])),
        excludeByName: {},
        indexByName: Object.fromEntries(names.map((n, i) => [n, i])),
        renameByName: { ...values, definition: 'Definition', [cluster]: CLUSTER_ROLE.displayName },
      },
    },
    clusterColumnWhenSeveralOperator(CLUSTER_ROLE.displayName),
    { id: DataTransformerID.sortBy, options: { sort: [{ field: 'Definition', desc: false }] } },
  ];
}

/** The lifetime distribution's x axis: the bucket bounds as durations (src/transforms/lifecycle.ts, atMost). */
export const LIFETIME_AXIS = 'Lifetime';

/**
 * The lifetime figures' text size (px). A stat sizes its text to the panel, its no-data text too: without it
 * "No instance ended in the range" fills the panel.
 */
export const LIFETIME_VALUE_SIZE = 28;

/** How long players keep an instance: which TTL fits the event. */
function lifetimes(s: ResolvedSettings): SceneFlexItemLike {
  return row(300, [
    PanelBuilders.stat()
      .setTitle('Instance lifetime')
      .setDescription(
        'Creation to the end of cleanup, of the instances that ended in the range: p50, p90, p99. All the clusters ' +
          'shown together: the Cluster filter narrows it.'
      )
      .setData(
        through(
          lifecycleRunner('lifetime-quantiles', s, (f) =>
            LIFECYCLE_QUANTILES.map((q) => instantSeries(percentile(q), lifetimeQuantileQuery(s, q, f), percentile(q)))
          ),
          finiteOnlyOperator('rows')
        )
      )
      .setUnit('s')
      .setNoValue('No instance ended in the range')
      // A lifetime is neither good nor bad: text colour, not the default thresholds' green and red.
      .setOption('colorMode', BigValueColorMode.None)
      .setOption('graphMode', BigValueGraphMode.None)
      .setOption('text', { valueSize: LIFETIME_VALUE_SIZE })
      .build(),
    PanelBuilders.barchart()
      .setTitle('Share of instances that ended within each lifetime')
      .setDescription(
        'Of the instances that ended in the range (all the clusters shown), the share that lived at most this long. ' +
          'A TTL of that length would have cut the rest short.'
      )
      .setData(
        through(
          lifecycleRunner('lifetime-distribution', s, (f) => [instantTable('A', lifetimeDistributionQuery(s, f))]),
          lifetimeBucketsOperator(LIFETIME_AXIS)
        )
      )
      .setUnit('percentunit')
      .setColor(quantityColor())
      .setOption('xField', LIFETIME_AXIS)
      .setOption('xTickLabelRotation', 0)
      .setOption('legend', { showLegend: false, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] })
      .setNoValue('No instance ended in the range')
      .build(),
  ]);
}

const TRANSITION_TITLES: Record<TransitionKind, string> = {
  opened: 'Opened',
  failed: 'Failed (to Error)',
  deleted: 'Deleted',
};

/** Each transition in the colour of the state it enters: opened instances start Pending. */
const TRANSITION_STATES: Record<TransitionKind, ChallengeState> = {
  opened: ChallengeState.Pending,
  failed: ChallengeState.Error,
  deleted: ChallengeState.Deleted,
};

/** How often instances are opened, fail and are deleted. */
function transitions(s: ResolvedSettings): SceneFlexItemLike {
  const kinds = Object.keys(TRANSITION_TITLES) as TransitionKind[];
  return new SceneFlexItem({
    height: 280,
    body: PanelBuilders.timeseries()
      .setTitle('Opens, failures and deletions per minute')
      .setDescription(
        'Per minute: instances opened (their first state), changes to Error, deletions whose cleanup ended. All the ' +
          'clusters shown added up: the Cluster filter narrows it.'
      )
      .setData(
        lifecycleRunner('transitions', s, (f) =>
          kinds.map((k) => rangeSeries(k, transitionsPerMinuteQuery(s, k, f), TRANSITION_TITLES[k]))
        )
      )
      .setUnit('short')
      .setOverrides((b) => {
        for (const k of kinds) {
          b.matchFieldsByQuery(k).overrideColor(stateColor(stateInfo(TRANSITION_STATES[k])));
        }
      })
      .build(),
  });
}

export function lifecycleScene(settings: ResolvedSettings) {
  return pageScene(
    settings,
    () => [
      noticeItem(new MissingLifecycleMetricsNotice()),
      timeToRunning(settings),
      lifetimes(settings),
      transitions(settings),
      ...operatorHealth(settings),
    ],
    { filters: ['namespace'] }
  );
}

export function lifecyclePage(settings: ResolvedSettings) {
  return new SceneAppPage({
    title: 'Lifecycle',
    subTitle: "How long players wait for and keep their instances, how often they fail, and the operator's health",
    url: prefixRoute(ROUTES.Lifecycle),
    routePath: `${ROUTES.Lifecycle}/*`,
    getScene: () => lifecycleScene(settings),
  });
}
