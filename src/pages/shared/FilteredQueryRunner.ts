import { SceneQueryRunner, type QueryRunnerState, type SceneDataQuery } from '@grafana/scenes';
import { NO_FILTERS, type QueryFilters } from '../../queries/queries';
import { FILTER_VARIABLES, readFilters } from './variables';
import { PROMETHEUS_DS_REF } from './datasource';

/** A Prometheus query as the panels send it (fields of Grafana's PromQuery the app uses). */
export interface PromQuery extends SceneDataQuery {
  expr: string;
  instant?: boolean;
  range?: boolean;
  format?: 'time_series' | 'table';
  legendFormat?: string;
}

export interface FilteredQueryRunnerState extends Omit<QueryRunnerState, 'queries'> {
  /** Builds the queries for the filter values currently selected (with the builders of src/queries). */
  build: (filters: QueryFilters) => PromQuery[];
}

/**
 * A query runner whose PromQL is rebuilt from the selected filter values before each run, so usernames, challenge
 * ids and namespaces reach PromQL only through the builders' escaping, never through Grafana's variable
 * interpolation (the Prometheus datasource's own escaping leaves double quotes alone). Other variables (`$window`,
 * `$ds`, `$__range`) stay in the text and are interpolated as usual.
 */
export class FilteredQueryRunner extends SceneQueryRunner {
  private readonly build: FilteredQueryRunnerState['build'];

  constructor({ build, ...state }: FilteredQueryRunnerState) {
    // Before the runner is in a scene there is nothing selected.
    super({ datasource: PROMETHEUS_DS_REF, ...state, queries: build(NO_FILTERS) });
    this.build = build;
    // The filter variables are dependencies although the query text never names them: the runner waits while they
    // load and runs again (through runQueries) when they change. setVariableNames rescans the last state it saw.
    this._variableDependency.getNames();
    this._variableDependency.setVariableNames(Object.values(FILTER_VARIABLES));
  }

  /** Every run but a time-range refresh comes through here (a refresh keeps the filters, so the queries too). */
  public runQueries() {
    const queries = this.build(readFilters(this));
    if (JSON.stringify(queries) !== JSON.stringify(this.state.queries)) {
      this.setState({ queries });
    }
    super.runQueries();
  }
}
