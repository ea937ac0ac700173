import React from 'react';
import {
  SceneObjectBase,
  sceneGraph,
  type SceneComponentProps,
  type SceneObjectState,
} from '@grafana/scenes';
import { Alert } from '@grafana/ui';
import { LoadingState, dateTime, type PanelData } from '@grafana/data';
import { type QuerySettings } from '../../queries/common';
import { JOB_LABEL, operatorSilenceQuery } from '../../queries/operatorStatus';
import { FilteredQueryRunner } from '../../data/FilteredQueryRunner';
import { instantTable } from '../../data/promQuery';
import { UnsyncedTimeRange } from './UnsyncedTimeRange';

/** A job that stopped reporting, and the last time one of its targets was up (ms; 0 = not within the lookback). */
export interface SilentJob {
  job: string;
  sinceMs: number;
}

interface OperatorStatusState extends SceneObjectState {
  /** The silence the page's time range was last moved for (moved once per silence, so the user can move it back). */
  appliedSinceMs?: number;
}

/**
 * Says prominently when the operator is not reporting (docs/dashboard-semantics.md), with since when, and moves the
 * page's time range to end at that moment: every panel then shows the last known state, labelled as such here,
 * instead of decaying into an empty-looking cluster. It asks about now, whatever time range the page shows.
 */
export class OperatorStatusNotice extends SceneObjectBase<OperatorStatusState> {
  static Component = OperatorStatusRenderer;

  constructor(settings: QuerySettings) {
    super({
      $timeRange: new UnsyncedTimeRange({ from: 'now-1m', to: 'now' }),
      $data: new FilteredQueryRunner({
        key: 'operator-status',
        build: () => [instantTable('silence', operatorSilenceQuery(settings))],
      }),
    });
    this.addActivationHandler(() => {
      const sub = sceneGraph.getData(this).subscribeToState((state) => this.showLastKnown(silentJobs(state.data)));
      return () => sub.unsubscribe();
    });
  }

  /** Moves the page's time range (the parent's, not this object's own "now") to end at the last report. */
  private showLastKnown(silent: SilentJob[] | undefined) {
    const since = lastReport(silent);
    if (!since || since === this.state.appliedSinceMs || !this.parent) {
      return;
    }
    const page = sceneGraph.getTimeRange(this.parent);
    const { from, to } = page.state.value;
    const span = to.valueOf() - from.valueOf();
    this.setState({ appliedSinceMs: since });
    page.onTimeRangeChange({
      from: dateTime(since - span),
      to: dateTime(since),
      raw: { from: dateTime(since - span), to: dateTime(since) },
    });
  }
}

/** The silent jobs in a status answer; undefined while there is no answer. */
export function silentJobs(data: PanelData | undefined): SilentJob[] | undefined {
  if (!data || data.state !== LoadingState.Done) {
    return undefined;
  }
  const out: SilentJob[] = [];
  for (const frame of data.series) {
    const job = frame.fields.find((f) => f.name === JOB_LABEL);
    const value = frame.fields.find((f) => f.type === 'number');
    for (let i = 0; i < frame.length; i++) {
      out.push({ job: String(job?.values[i] ?? ''), sinceMs: Number(value?.values[i] ?? 0) * 1000 });
    }
  }
  return out;
}

/** When the last silent job was last up (the moment the pages can still show as known). */
const lastReport = (silent: SilentJob[] | undefined) =>
  silent?.length ? Math.max(...silent.map((j) => j.sinceMs)) : undefined;

function OperatorStatusRenderer({ model }: SceneComponentProps<OperatorStatusNotice>) {
  const data = sceneGraph.getData(model).useState().data;
  const silent = silentJobs(data);
  if (!silent?.length) {
    return null;
  }
  const since = lastReport(silent)!;
  const jobs = silent.map((j) => j.job).join(', ');
  const when = since ? dateTime(since).format('YYYY-MM-DD HH:mm:ss') : undefined;
  return (
    <Alert severity="error" title={`The Challenge operator is not reporting (job ${jobs})`}>
      {when ? `No fresh state from the operator since ${when}` : 'No fresh state from the operator for over a day'}: its
      scrape target is down or gone.{' '}
      {when
        ? `The panels below show the last known state, at ${when} (the time range now ends there), not the cluster as it is now.`
        : 'The panels below cannot show the cluster as it is now.'}{' '}
      Instances created, deleted or failed since then are not in them.
    </Alert>
  );
}
