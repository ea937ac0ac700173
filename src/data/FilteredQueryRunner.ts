import { LoadingState, type TimeRange } from '@grafana/data';
import { SceneQueryRunner, sceneGraph, type QueryRunnerState, type SceneTimeRangeLike } from '@grafana/scenes';
import { NO_FILTERS, type QueryFilters, type QuerySettings } from '../queries/common';
import { CLUSTER_FILTER } from '../settings/clusterRole';
import { FILTER_ROLES, filterVariable } from '../settings/labelRoles';
import { PROMETHEUS_DS_REF } from './datasource';
import { readFilters } from './filters';
import { UNKNOWN, operatorKnowledgeCheck, type OperatorKnowledge } from './operatorKnowledge';
import type { PromQuery } from './promQuery';
import { recordingRulesDetector } from './recordingRules';

export type { PromQuery };

export interface FilteredQueryRunnerState extends Omit<QueryRunnerState, 'queries'> {
  /**
   * Builds the queries for the filter values currently selected (with the builders of src/queries). `recordingRules`:
   * the selected Prometheus has the chart's recording rules (always false unless `useRecordingRules`). `at`: the
   * evaluation time (Unix seconds) of a `window` runner's queries while the operator's state is last known (pass it
   * as QuerySettings.at), else undefined.
   */
  build: (filters: QueryFilters, recordingRules: boolean, at?: number) => PromQuery[];
  /** Ask the selected datasource for the recording rules before each run (the over-time and peak panels). */
  useRecordingRules?: boolean;
  /**
   * What the operator check (src/data/operatorKnowledge.ts) does to this runner, asked before each run with the
   * page's settings (`settings`):
   * - 'range' (default with settings): nothing is sent while Prometheus holds nothing from the operator in the range
   *   (the panel shows its "No data"); otherwise the queries run as built;
   * - 'window': as 'range', and while the state is last known the queries are built with `at` = the last report,
   *   so the window's instant figures are those of that moment;
   * - 'none' (default without settings): the runner does not wait for the check (the notices, the check itself).
   */
  operatorKnowledge?: 'range' | 'window' | 'none';
  /** The page's settings, for the operator check (metric name, label names). */
  settings?: QuerySettings;
}

type RunWithTimeRange = (timeRange: SceneTimeRangeLike) => Promise<void>;

/**
 * A query runner whose PromQL is rebuilt from the selected filter values before each run, so usernames, challenge
 * ids and namespaces reach PromQL only through the builders' escaping, never through Grafana's variable
 * interpolation (the Prometheus datasource's own escaping leaves double quotes alone). Other variables (`$window`,
 * `$ds`, `$__range`) stay in the text and are interpolated as usual. Before each run it waits for the page's
 * recording-rule and operator checks it uses.
 */
export class FilteredQueryRunner extends SceneQueryRunner {
  private readonly build: FilteredQueryRunnerState['build'];
  private readonly useRecordingRules: boolean;
  private readonly knowledgeMode: 'range' | 'window' | 'none';
  private readonly settings?: QuerySettings;
  /** Counts runs, so a run that waited for the checks does not overtake a newer one. */
  private runs = 0;
  /** Set while this runner hands its own run to SceneQueryRunner. */
  private direct = false;
  /** What the last run knew of the operator (tests, the inspector). */
  public knowledge: OperatorKnowledge = UNKNOWN;

  constructor({ build, useRecordingRules = false, operatorKnowledge, settings, ...state }: FilteredQueryRunnerState) {
    // Before the runner is in a scene there is nothing selected.
    super({ datasource: PROMETHEUS_DS_REF, ...state, queries: build(NO_FILTERS, false) });
    this.build = build;
    this.useRecordingRules = useRecordingRules;
    this.settings = settings;
    this.knowledgeMode = settings ? (operatorKnowledge ?? 'range') : 'none';
    // The filter variables are dependencies although the query text never names them: the runner waits while they
    // load and runs again (through runQueries) when they change. setVariableNames rescans the last state it saw.
    this._variableDependency.getNames();
    this._variableDependency.setVariableNames([...FILTER_ROLES.map(filterVariable), CLUSTER_FILTER]);
    // A time-range change (a refresh of a relative range too) reaches SceneQueryRunner's private runWithTimeRange
    // directly: route it through runQueries, so the checks are asked for the new range and the queries rebuilt.
    const self = this as unknown as { runWithTimeRange: RunWithTimeRange };
    const base = (SceneQueryRunner.prototype as unknown as { runWithTimeRange: RunWithTimeRange }).runWithTimeRange;
    self.runWithTimeRange = (timeRange) => {
      if (this.direct) {
        return base.call(this, timeRange);
      }
      this.runQueries();
      return Promise.resolve();
    };
  }

  /** Every run comes through here; it waits for the checks this runner uses (each asked once per page run). */
  public runQueries() {
    const run = ++this.runs;
    if (!this.useRecordingRules && this.knowledgeMode === 'none') {
      this.runWith(false, UNKNOWN);
      return;
    }
    const range = sceneGraph.getTimeRange(this).state.value;
    void Promise.all([
      this.useRecordingRules ? this.hasRecordingRules(range) : Promise.resolve(false),
      this.knowledgeMode === 'none' ? Promise.resolve(UNKNOWN) : this.operatorKnowledge(range),
    ]).then(([recordingRules, knowledge]) => {
      // A newer run (say, another filter value) already went ahead.
      if (run === this.runs && this.isActive) {
        this.runWith(recordingRules, knowledge);
      }
    });
  }

  private runWith(recordingRules: boolean, knowledge: OperatorKnowledge) {
    this.knowledge = knowledge;
    const at = this.knowledgeMode === 'window' && knowledge.kind === 'lastKnown' ? knowledge.sinceS : undefined;
    const queries = this.build(readFilters(this), recordingRules, at);
    if (JSON.stringify(queries) !== JSON.stringify(this.state.queries)) {
      this.setState({ queries });
    }
    if (knowledge.kind === 'noData') {
      // Nothing from the operator in the range: nothing to ask. The panel shows its "No data", never a 0.
      this.cancelQuery();
      const timeRange = sceneGraph.getTimeRange(this).state.value;
      this.setState({ data: { state: LoadingState.Done, series: [], timeRange }, _hasFetchedData: true });
      return;
    }
    this.direct = true;
    try {
      super.runQueries();
    } finally {
      this.direct = false;
    }
  }

  private datasourceUid(): string | undefined {
    const uid = sceneGraph.interpolate(this, PROMETHEUS_DS_REF.uid);
    if (!uid || uid === PROMETHEUS_DS_REF.uid || this._variableDependency.hasDependencyInLoadingState()) {
      return undefined;
    }
    return uid;
  }

  /** Whether the selected datasource has the recording rules; false whenever that can't be told. */
  private async hasRecordingRules(range: TimeRange): Promise<boolean> {
    const uid = this.datasourceUid();
    if (!uid) {
      return false;
    }
    try {
      return await recordingRulesDetector.present(uid, range);
    } catch {
      return false;
    }
  }

  /** What Prometheus holds from the operator for the range; unknown whenever that can't be told. */
  private async operatorKnowledge(range: TimeRange): Promise<OperatorKnowledge> {
    const uid = this.datasourceUid();
    if (!uid || !this.settings) {
      return UNKNOWN;
    }
    return operatorKnowledgeCheck.ask(uid, range, this.settings, readFilters(this));
  }
}
