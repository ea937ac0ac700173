import React from 'react';
import { SceneObjectBase, sceneGraph, type SceneComponentProps, type SceneObjectState } from '@grafana/scenes';
import { Alert } from '@grafana/ui';
import { LoadingState } from '@grafana/data';
import { INFO_METRIC, REQUESTS_METRIC } from '../../metric/contract';
import { FilteredQueryRunner } from '../../data/FilteredQueryRunner';
import { isPresent, presenceQueries } from '../../data/metricPresence';

/** The metrics question 2 needs, by the refId of their presence query. */
export const USAGE_METRICS: Readonly<Record<string, string>> = Object.freeze({
  info: INFO_METRIC,
  requests: REQUESTS_METRIC,
});

/**
 * Says which of challenge_info / challenge_definition_requests Prometheus does not have (the original HexaCTF
 * operator exports neither), from a query asking for them; renders nothing while loading or when both are there.
 */
export class MissingMetricsNotice extends SceneObjectBase<SceneObjectState> {
  static Component = MissingMetricsNoticeRenderer;

  constructor() {
    super({
      $data: new FilteredQueryRunner({
        key: 'usage-metrics-presence',
        build: () => presenceQueries(USAGE_METRICS),
      }),
    });
  }
}

/** Metrics whose presence query answered 0. */
function useAbsentMetrics(model: MissingMetricsNotice): string[] | undefined {
  const data = sceneGraph.getData(model).useState().data;
  if (!data || data.state !== LoadingState.Done) {
    return undefined;
  }
  return Object.entries(USAGE_METRICS)
    .filter(([refId]) => !isPresent(data, refId))
    .map(([, metric]) => metric);
}

function MissingMetricsNoticeRenderer({ model }: SceneComponentProps<MissingMetricsNotice>) {
  const absent = useAbsentMetrics(model);
  if (!absent?.length) {
    return null;
  }
  return (
    <Alert severity="info" title={`No ${absent.join(' or ')} in Prometheus`}>
      Instances and requested CPU and memory per challenge and per category come from <code>{INFO_METRIC}</code> and{' '}
      <code>{REQUESTS_METRIC}</code>, which the HexaCTF Challenge operator exports alongside the state gauge. The
      operator behind this datasource does not (the original operator only exports the state gauge), so those panels
      stay empty. The peak-per-user panels only need the state gauge.
    </Alert>
  );
}
