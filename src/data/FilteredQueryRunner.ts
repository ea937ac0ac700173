import { LoadingState, type PanelData, type TimeRange } from '@grafana/data';
import { SceneQueryRunner, sceneGraph, type QueryRunnerState, type SceneTimeRangeLike } from '@grafana/scenes';
import { NO_FILTERS, type QueryFilters, type QuerySettings } from '../queries/common';
import { CLUSTER_FILTER } from '../settings/clusterRole';
import { FILTER_ROLES, filterVariable } from '../settings/labelRoles';
import { PROMETHEUS_DS_REF } from './datasource';
import { readFilters } from './filters';
import { UNKNOWN, operatorKnowledgeCheck, type OperatorKnowledge } from './operatorKnowledge';
import type { PromQuery } from './promQuery';
import { recordingRulesDetector } from './recordingRules';
import { waitsForVariables } from './variableWait';

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
   * - 'range' (default with settings): nothing is shown while Prometheus holds nothing from the operator in the
   *   range (the panel shows its "No data"); otherwise the queries' answer as built;
   * - 'window': as 'range', and while the state is last known the queries are built with `at` = the last report,
   *   so the window's instant figures are those of that moment;
   * - 'none' (default without settings): the runner does not use the check (the notices, the check itself).
   */
  operatorKnowledge?: 'range' | 'window' | 'none';
  /** The page's settings, for the operator check (metric name, label names). */
  settings?: QuerySettings;
}

type RunWithTimeRange = (timeRange: SceneTimeRangeLike) => Promise<void>;
type DataHandler = (data: PanelData) => void;

/**
 * A query runner whose PromQL is rebuilt from the selected filter values before each run, so usernames, challenge
 * ids and namespaces reach PromQL only through the builders' escaping, never through Grafana's variable
 * interpolation (the Prometheus datasource's own escaping leaves double quotes alone). Other variables (`$window`,
 * `$ds`, `$__range`) stay in the text and are interpolated as usual.
 *
 * Few sequential waves: a filter that reads as "All" is not waited for (variableWait.ts), and the queries go out
 * beside the page's operator check and recording-rules check, built as they mostly answer (operator live, rules
 * present), their answer held until both have answered: shown when those were the right queries, else asked again
 * as the answers say (the raw form; a window runner's queries at the last report) or dropped (no data).
 */
export class FilteredQueryRunner extends SceneQueryRunner {
  private readonly build: FilteredQueryRunnerState['build'];
  private readonly useRecordingRules: boolean;
  private readonly knowledgeMode: 'range' | 'window' | 'none';
  private readonly settings?: QuerySettings;
  /** Counts runs, so a run that waited for a check does not overtake a newer one. */
  private runs = 0;
  /** Set while this runner hands its own run to SceneQueryRunner. */
  private direct = false;
  /** SceneQueryRunner's own handler of an answer (this runner holds answers back in front of it). */
  private readonly deliver: DataHandler;
  /** While the operator check of the run in flight has not answered: the latest answer of its queries, held. */
  private held?: { data?: PanelData };
  /** What the run in flight or shown was built from (runInputs), while no variable it needs was loading. */
  private sentInputs?: string;
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
    // Scenes' loading check first (it remembers that the runner waits, so it is called back when they have loaded),
    // then whether the variables still loading are ones the queries need.
    const dependencies = this._variableDependency;
    const anyLoading = dependencies.hasDependencyInLoadingState.bind(dependencies);
    dependencies.hasDependencyInLoadingState = () => anyLoading() && waitsForVariables(this, dependencies.getNames());
    const self = this as unknown as { runWithTimeRange: RunWithTimeRange; onDataReceived: DataHandler };
    this.deliver = self.onDataReceived;
    self.onDataReceived = (data) => {
      if (this.held && data.state !== LoadingState.Loading) {
        this.held.data = data;
        return;
      }
      this.deliver(data);
    };
    // A time-range change (a refresh of a relative range too) reaches SceneQueryRunner's private runWithTimeRange
    // directly: route it through runQueries, so the checks are asked for the new range and the queries rebuilt.
    const base = (SceneQueryRunner.prototype as unknown as { runWithTimeRange: RunWithTimeRange }).runWithTimeRange;
    self.runWithTimeRange = (timeRange) => {
      if (this.direct) {
        return base.call(this, timeRange);
      }
      this.runQueries();
      return Promise.resolve();
    };
  }

  /** Every run comes through here. */
  public runQueries() {
    const run = ++this.runs;
    this.held = undefined;
    if (this._variableDependency.hasDependencyInLoadingState()) {
      // SceneQueryRunner shows the panel loading, and this runs again once they have loaded.
      this.sentInputs = undefined;
      this.handOver();
      return;
    }
    this.sentInputs = this.runInputs();
    const range = sceneGraph.getTimeRange(this).state.value;
    const rulesKnown = this.knownRecordingRules();
    const knowledgeKnown = this.knownKnowledge(range);
    if (rulesKnown !== undefined && knowledgeKnown) {
      this.runWith(rulesKnown, knowledgeKnown);
      return;
    }
    // A check is on its way: the queries go out beside it, built as the checks mostly answer (the rules present,
    // whose form is cheap whatever the answer; the operator live), their answer held until both checks have answered.
    const sent = this.queriesFor(rulesKnown ?? this.useRecordingRules, knowledgeKnown ?? UNKNOWN);
    this.held = {};
    this.send(sent);
    void Promise.all([
      rulesKnown ?? this.hasRecordingRules(range),
      knowledgeKnown ?? this.operatorKnowledge(range),
    ]).then(([recordingRules, knowledge]) => {
      // A newer run (say, another filter value) already went ahead.
      if (run === this.runs && this.isActive) {
        this.release(recordingRules, knowledge, sent);
      }
    });
  }

  /**
   * Both checks have answered while `sent` was out: its answer is shown when those are the queries the answers call
   * for, else the run goes on as they say (the raw form, the window at the last report, nothing at all).
   */
  private release(recordingRules: boolean, knowledge: OperatorKnowledge, sent: PromQuery[]) {
    const held = this.held;
    this.held = undefined;
    const wanted = this.queriesFor(recordingRules, knowledge);
    if (knowledge.kind === 'noData' || JSON.stringify(wanted) !== JSON.stringify(sent)) {
      this.runWith(recordingRules, knowledge);
      return;
    }
    this.knowledge = knowledge;
    if (held?.data) {
      this.deliver(held.data);
    }
  }

  /** The queries for the checks' answers: the window's at the last report while that is all that is known. */
  private queriesFor(recordingRules: boolean, knowledge: OperatorKnowledge): PromQuery[] {
    const at = this.knowledgeMode === 'window' && knowledge.kind === 'lastKnown' ? knowledge.sinceS : undefined;
    return this.build(readFilters(this), recordingRules, at);
  }

  private runWith(recordingRules: boolean, knowledge: OperatorKnowledge) {
    this.knowledge = knowledge;
    const queries = this.queriesFor(recordingRules, knowledge);
    if (knowledge.kind === 'noData') {
      // Nothing from the operator in the range: nothing to ask. The panel shows its "No data", never a 0.
      this.setQueries(queries);
      this.cancelQuery();
      const timeRange = sceneGraph.getTimeRange(this).state.value;
      this.setState({ data: { state: LoadingState.Done, series: [], timeRange }, _hasFetchedData: true });
      return;
    }
    this.send(queries);
  }

  private setQueries(queries: PromQuery[]) {
    if (JSON.stringify(queries) !== JSON.stringify(this.state.queries)) {
      this.setState({ queries });
    }
  }

  /** Sends `queries` (the one in flight is cancelled). */
  private send(queries: PromQuery[]) {
    this.setQueries(queries);
    this.handOver();
  }

  /** SceneQueryRunner's own run of the queries in the state. */
  private handOver() {
    this.direct = true;
    try {
      super.runQueries();
    } finally {
      this.direct = false;
    }
  }

  /**
   * Called back by scenes when a variable has loaded or changed. A filter that read as "All" before its options
   * came still does after them, yet its value changes ('' to "All"): a run with the same inputs is not sent again.
   */
  protected variablesCompleted() {
    if (this.sentInputs === undefined || this.sentInputs !== this.runInputs()) {
      this.runQueries();
    }
  }

  /**
   * What a run is built from: the filters as read, the other variables' values, the time range. Built-ins such as
   * `$__interval` are left out: they follow the range, and which of them the queries name changes with the form (the
   * raw peak queries name `$__interval`, the rule forms do not), which would make the same inputs look new.
   */
  private runInputs(): string {
    const range = sceneGraph.getTimeRange(this).state.value;
    const others = [...this._variableDependency.getNames()]
      .filter((name) => !name.startsWith('__'))
      .filter((name) => name !== CLUSTER_FILTER && !FILTER_ROLES.some((role) => filterVariable(role) === name))
      .map((name) => [name, sceneGraph.lookupVariable(name, this)?.getValue()]);
    return JSON.stringify([readFilters(this), others, range.from.valueOf(), range.to.valueOf()]);
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

  /** Whether the recording rules are there, if that needs not be waited for (not used, not askable, already come). */
  private knownRecordingRules(): boolean | undefined {
    const uid = this.datasourceUid();
    return this.useRecordingRules && uid ? recordingRulesDetector.known(uid) : false;
  }

  /** The operator check's answer if it needs not be waited for (not used, not askable, or already come). */
  private knownKnowledge(range: TimeRange): OperatorKnowledge | undefined {
    const uid = this.datasourceUid();
    if (this.knowledgeMode === 'none' || !uid || !this.settings) {
      return UNKNOWN;
    }
    return operatorKnowledgeCheck.known(uid, range, this.settings, readFilters(this));
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

// SceneQueryRunner binds its (private) callback for completed variables at construction, so the runner's own is put
// on its prototype (see variablesCompleted).
Object.defineProperty(FilteredQueryRunner.prototype, 'onVariableUpdatesCompleted', {
  value(this: FilteredQueryRunner) {
    (this as unknown as { variablesCompleted: () => void }).variablesCompleted();
  },
});
