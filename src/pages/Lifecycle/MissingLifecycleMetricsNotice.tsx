import React from 'react';
import { SceneObjectBase, sceneGraph, type SceneComponentProps, type SceneObjectState } from '@grafana/scenes';
import { Alert } from '@grafana/ui';
import { LoadingState, type PanelData } from '@grafana/data';
import { LIFETIME_METRIC, TIME_TO_RUNNING_METRIC, TRANSITIONS_METRIC } from '../../metric/contract';
import { FilteredQueryRunner } from '../../data/FilteredQueryRunner';
import { isPresent, presenceQueries } from '../../data/metricPresence';
import type { AbsentMetricsSource } from '../shared/noDataText';

/** The lifecycle metrics the page reads, by the refId of their presence query (series of the histograms: `_count`). */
export const LIFECYCLE_METRICS: Readonly<Record<string, string>> = Object.freeze({
  timeToRunning: `${TIME_TO_RUNNING_METRIC}_count`,
  lifetime: `${LIFETIME_METRIC}_count`,
  transitions: TRANSITIONS_METRIC,
});

/** The page's runners whose panels' empty text speaks for the cluster, by the metric (refId above) they read. */
const RUNNER_METRIC: Readonly<Record<string, string>> = Object.freeze({
  'time-to-running': 'timeToRunning',
  'time-to-running-by-definition': 'timeToRunning',
  'lifetime-quantiles': 'lifetime',
  'lifetime-distribution': 'lifetime',
});

/**
 * Says which of the lifecycle metrics Prometheus does not have over the time range (the original HexaCTF operator
 * exports none; neither does the new one before it was upgraded), from a query asking for them; renders nothing
 * while loading or when all are there. While one is absent, the panels that read it say "No data", not "No instance
 * got Running in the range", which would say the event had none.
 */
export class MissingLifecycleMetricsNotice extends SceneObjectBase<SceneObjectState> implements AbsentMetricsSource {
  static Component = MissingLifecycleMetricsNoticeRenderer;

  constructor() {
    super({
      $data: new FilteredQueryRunner({
        key: 'lifecycle-metrics-presence',
        build: () => presenceQueries(LIFECYCLE_METRICS, '$__range'),
      }),
    });
  }

  absentFor(runnerKey: string | undefined): boolean {
    const refId = runnerKey ? RUNNER_METRIC[runnerKey] : undefined;
    return refId !== undefined && (absentMetrics(this.state.$data?.state.data)?.includes(refId) ?? false);
  }
}

/** refIds of the metrics whose presence query answered 0; undefined while not answered. */
function absentMetrics(data: PanelData | undefined): string[] | undefined {
  if (!data || data.state !== LoadingState.Done) {
    return undefined;
  }
  return Object.keys(LIFECYCLE_METRICS).filter((refId) => !isPresent(data, refId));
}

function MissingLifecycleMetricsNoticeRenderer({ model }: SceneComponentProps<MissingLifecycleMetricsNotice>) {
  const data = sceneGraph.getData(model).useState().data;
  const absent = absentMetrics(data)?.map((refId) => LIFECYCLE_METRICS[refId]);
  if (!absent?.length) {
    return null;
  }
  const names = absent.map((m) => m.replace(/_count$/, ''));
  return (
    // No margin below: the column's gap spaces it from the panels, as above the other pages' first panel.
    <Alert
      severity="info"
      title={`No ${names.join(', ')} in Prometheus for the time range`}
      style={{ marginBottom: 0 }}
    >
      Time to Running, instance lifetimes and the transitions per minute come from <code>{TIME_TO_RUNNING_METRIC}</code>
      , <code>{LIFETIME_METRIC}</code> and <code>{TRANSITIONS_METRIC}</code>, which the HexaCTF Challenge operator
      exports alongside the state gauge. The operator behind this datasource did not export{' '}
      {absent.length > 1 ? 'them' : 'it'} in this range (the original operator only exports the state gauge), so those
      panels say No data: this is not an event where nothing happened. The operator&apos;s health below only needs
      controller-runtime&apos;s metrics.
    </Alert>
  );
}
