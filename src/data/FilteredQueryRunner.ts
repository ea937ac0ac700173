import type { TimeRange } from '@grafana/data';
import { SceneQueryRunner, sceneGraph, type QueryRunnerState } from '@grafana/scenes';
import { NO_FILTERS, type QueryFilters } from '../queries/common';
import { FILTER_ROLES, filterVariable } from '../settings/labelRoles';
import { PROMETHEUS_DS_REF } from './datasource';
import { readFilters } from './filters';
import type { PromQuery } from './promQuery';
import { recordingRulesDetector } from './recordingRules';

export type { PromQuery };

export interface FilteredQueryRunnerState extends Omit<QueryRunnerState, 'queries'> {
  /**
   * Builds the queries for the filter values currently selected (with the builders of src/queries). `recordingRules`:
   * the selected Prometheus has the chart's recording rules (always false unless `useRecordingRules`).
   */
  build: (filters: QueryFilters, recordingRules: boolean) => PromQuery[];
  /** Ask the selected datasource for the recording rules before each run (the over-time and peak panels). */
  useRecordingRules?: boolean;
}

/**
 * A query runner whose PromQL is rebuilt from the selected filter values before each run, so usernames, challenge
 * ids and namespaces reach PromQL only through the builders' escaping, never through Grafana's variable
 * interpolation (the Prometheus datasource's own escaping leaves double quotes alone). Other variables (`$window`,
 * `$ds`, `$__range`) stay in the text and are interpolated as usual.
 */
export class FilteredQueryRunner extends SceneQueryRunner {
  private readonly build: FilteredQueryRunnerState['build'];
  private readonly useRecordingRules: boolean;
  /** Counts runs, so a run that waited for the recording rule check does not overtake a newer one. */
  private runs = 0;

  constructor({ build, useRecordingRules = false, ...state }: FilteredQueryRunnerState) {
    // Before the runner is in a scene there is nothing selected.
    super({ datasource: PROMETHEUS_DS_REF, ...state, queries: build(NO_FILTERS, false) });
    this.build = build;
    this.useRecordingRules = useRecordingRules;
    // The filter variables are dependencies although the query text never names them: the runner waits while they
    // load and runs again (through runQueries) when they change. setVariableNames rescans the last state it saw.
    this._variableDependency.getNames();
    this._variableDependency.setVariableNames(FILTER_ROLES.map(filterVariable));
  }

  /**
   * Every run but a time-range refresh comes through here (a refresh keeps the filters and the datasource, so the
   * queries too). With `useRecordingRules` the run waits for the datasource's answer (asked once per datasource).
   */
  public runQueries() {
    const run = ++this.runs;
    if (!this.useRecordingRules) {
      this.runWith(false);
      return;
    }
    void this.hasRecordingRules(sceneGraph.getTimeRange(this).state.value).then((recordingRules) => {
      // A newer run (say, another filter value) already went ahead.
      if (run === this.runs && this.isActive) {
        this.runWith(recordingRules);
      }
    });
  }

  private runWith(recordingRules: boolean) {
    const queries = this.build(readFilters(this), recordingRules);
    if (JSON.stringify(queries) !== JSON.stringify(this.state.queries)) {
      this.setState({ queries });
    }
    super.runQueries();
  }

  /** Whether the selected datasource has the recording rules; false whenever that can't be told. */
  private async hasRecordingRules(range: TimeRange): Promise<boolean> {
    const uid = sceneGraph.interpolate(this, PROMETHEUS_DS_REF.uid);
    if (!uid || uid === PROMETHEUS_DS_REF.uid || this._variableDependency.hasDependencyInLoadingState()) {
      return false;
    }
    try {
      return await recordingRulesDetector.present(uid, range);
    } catch {
      return false;
    }
  }
}
