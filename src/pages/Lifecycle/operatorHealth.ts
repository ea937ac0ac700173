// The Lifecycle page's operator-health rows: reconciles, their errors (with the way to Triage), durations, work queue;
// per cluster, each series named with its cluster when the answer holds several (queries/operatorHealth.ts).
import { FieldColorModeId } from '@grafana/data';
import { PanelBuilders, type SceneFlexItemLike } from '@grafana/scenes';
import { BigValueColorMode, BigValueGraphMode, ThresholdsMode } from '@grafana/schema';
import { ChallengeState, stateInfo } from '../../metric/contract';
import { LIFECYCLE_QUANTILES } from '../../queries/lifecycle';
import {
  reconcileDurationQuantileQuery,
  reconcileErrorRateQuery,
  reconcileErrorsInRangeQuery,
  reconcileRateQuery,
  workQueueDepthQuery,
  workQueueWaitQuantileQuery,
} from '../../queries/operatorHealth';
import { ROUTES } from '../../constants';
import { CLUSTER_COLUMN_SEPARATOR } from '../../transforms/clusterColumn';
import { prefixRoute } from '../../utils/utils.routing';
import { instantSeries, rangeSeries } from '../../data/promQuery';
import { NEUTRAL_COLOR, quantileColors, quantityColor } from '../shared/chartColors';
import { NO_DATA_STAT_MAPPING, stateColor } from '../shared/stateStyles';
import { percentile, quantileSteps, row, runner } from './panelParts';
import { perClusterNames } from '../shared/perClusterNames';
import type { QuerySettings } from '../../queries/common';

/** The Triage page with this page's time range and datasource. */
export const TRIAGE_LINK = `${prefixRoute(ROUTES.Triage)}?\${__url_time_range}&\${ds:queryparam}`;

/** A reconcile result's series, alone or named with its cluster (`error @ a`). */
const result = (name: string) => `^${name}(${CLUSTER_COLUMN_SEPARATOR}.+)?$`;

/** Is the operator itself healthy: reconciles, errors (with the way to Triage), durations, its work queue. */
export function operatorHealth(s: QuerySettings): SceneFlexItemLike[] {
  const triage = [{ title: 'Open Triage: the instances in Error', url: TRIAGE_LINK }];
  return [
    row(200, [
      PanelBuilders.stat()
        .setTitle('Reconcile errors in the range')
        .setDescription(
          'Reconciles of the Challenge controller that failed in the range, per cluster when several are shown. Above ' +
            '0: open Triage. 0 only when the controller reported in the range; No data when Prometheus holds none of ' +
            'its metrics.'
        )
        .setData(
          perClusterNames(
            runner('reconcile-errors-in-range', (f) => [
              instantSeries('A', reconcileErrorsInRangeQuery(s, f), 'errors'),
            ]),
            s
          )
        )
        .setOption('colorMode', BigValueColorMode.Background)
        // No data on no colour: the thresholds' base colour would paint it green, as if all were well.
        .setMappings([NO_DATA_STAT_MAPPING])
        .setOption('graphMode', BigValueGraphMode.None)
        // A count: increase() extrapolates to fractions ("59.0"), which no reconcile count has.
        .setDecimals(0)
        .setThresholds({
          mode: ThresholdsMode.Absolute,
          steps: [
            { value: -Infinity, color: 'green' },
            { value: 1, color: 'red' },
          ],
        })
        .setLinks(triage)
        .build(),
      PanelBuilders.timeseries()
        .setTitle('Reconciles per second')
        .setDescription(
          "The Challenge controller's reconciles by result, and those that returned an error; per cluster " +
            '(result @ cluster) when several are shown.'
        )
        .setData(
          perClusterNames(
            runner('reconcile-rate', (f) => [
              rangeSeries('rate', reconcileRateQuery(s, f), '{{result}}'),
              rangeSeries('errors', reconcileErrorRateQuery(s, f), 'errors'),
            ]),
            s
          )
        )
        .setUnit('reqps')
        // Errors (result "error", and the error counter) in the Error colour, as the reconcile errors stat above 0;
        // the other results in no state's colour (the classic palette drew "error" green and "errors" yellow).
        .setOverrides((b) => {
          const red = stateColor(stateInfo(ChallengeState.Error));
          b.matchFieldsByQuery('errors').overrideColor(red);
          b.matchFieldsWithNameByRegex(result('error')).overrideColor(red);
          b.matchFieldsWithNameByRegex(result('success')).overrideColor({
            mode: FieldColorModeId.Fixed,
            fixedColor: NEUTRAL_COLOR,
          });
          b.matchFieldsWithNameByRegex(result('requeue')).overrideColor(quantityColor());
        })
        .setLinks(triage)
        .build(),
    ]),
    row(280, [
      PanelBuilders.timeseries()
        .setTitle('Reconcile duration')
        .setDescription(
          'How long one reconcile of a Challenge takes: p50, p90, p99, per cluster when several are shown.'
        )
        .setData(
          perClusterNames(
            quantileSteps(
              runner('reconcile-duration', (f) =>
                LIFECYCLE_QUANTILES.map((q) =>
                  rangeSeries(percentile(q), reconcileDurationQuantileQuery(s, q, f), percentile(q))
                )
              )
            ),
            s
          )
        )
        .setUnit('s')
        .setOverrides(quantileColors(LIFECYCLE_QUANTILES.map(percentile)))
        .build(),
      PanelBuilders.timeseries()
        .setTitle('Work queue')
        .setDescription(
          'Challenges waiting for a worker, and how long they waited (p50, p90, p99); per cluster when several are ' +
            'shown.'
        )
        .setData(
          perClusterNames(
            quantileSteps(
              runner('work-queue', (f) => [
                rangeSeries('depth', workQueueDepthQuery(s, f), 'waiting'),
                ...LIFECYCLE_QUANTILES.map((q) =>
                  rangeSeries(`wait-${percentile(q)}`, workQueueWaitQuantileQuery(s, q, f), `wait ${percentile(q)}`)
                ),
              ])
            ),
            s
          )
        )
        .setOverrides((b) => {
          b.matchFieldsByQuery('depth')
            .overrideUnit('short')
            .overrideColor({ mode: FieldColorModeId.Fixed, fixedColor: NEUTRAL_COLOR });
          quantileColors(LIFECYCLE_QUANTILES.map((q) => `wait-${percentile(q)}`))(b);
        })
        .setUnit('s')
        .build(),
    ]),
  ];
}
