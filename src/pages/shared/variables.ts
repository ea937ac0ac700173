import {
  CustomVariable,
  DataSourceVariable,
  QueryVariable,
  SceneVariableSet,
  type SceneVariable,
} from '@grafana/scenes';
import { VariableRefresh, VariableSort } from '@grafana/schema';
import { DEFAULT_WINDOW, WINDOW_CHOICES, isWindowChoice, type WindowChoice } from '../../metric/contract';
import { labelValuesVariableQuery, NO_FILTERS } from '../../queries/common';
import { FILTER_ROLES, displayName, filterVariable, type FilterRole } from '../../settings/labelRoles';
import type { ResolvedSettings } from '../../settings/settings';
import { PROMETHEUS_DS_REF } from '../../data/datasource';
import { ClusterVariable } from './clusterVariable';

/** Variable names (also the `var-<name>` URL parameters); the filters' are in settings/labelRoles.ts. */
export const DS_VARIABLE = 'ds';
export const WINDOW_VARIABLE_NAME = 'window';

export interface VariableOptions {
  /** Pages whose queries have a `$window` range. */
  window?: boolean;
  /** Filters to offer (a per-user page fixes the user and leaves it out). */
  filters?: readonly FilterRole[];
}

/**
 * `$window`: the value reaches PromQL as text (a range `[$window]`), so only the offered choices may. A value from
 * the URL (`var-window=...`) is kept by scenes without validation; anything but a choice reads as the default.
 */
class WindowVariable extends CustomVariable {
  constructor(
    state: ConstructorParameters<typeof CustomVariable>[0],
    private readonly fallback: WindowChoice
  ) {
    super(state);
  }

  public getValue() {
    const value = super.getValue();
    // (a clone made by scenes has no fallback argument: then the contract's default)
    return isWindowChoice(value) ? value : (this.fallback ?? DEFAULT_WINDOW);
  }
}

/**
 * The page variables: the Prometheus datasource (default from the app settings), `$window` (default from the
 * settings), the namespace / user / challenge filters and the cluster filter (shown only with several clusters). Filter values never reach PromQL through interpolation:
 * FilteredQueryRunner reads them with readFilters() (data/filters.ts) and the query builders escape them.
 */
export function pageVariables(settings: ResolvedSettings, options: VariableOptions = {}): SceneVariableSet {
  const variables: SceneVariable[] = [
    new DataSourceVariable({
      name: DS_VARIABLE,
      label: 'Prometheus',
      pluginId: 'prometheus',
      value: settings.datasourceUid,
    }),
  ];
  if (options.window) {
    variables.push(
      new WindowVariable(
        {
          name: WINDOW_VARIABLE_NAME,
          label: 'Window',
          description: 'How far back the last state of each instance is looked up',
          query: WINDOW_CHOICES.join(','),
          value: settings.defaultWindow,
          text: settings.defaultWindow,
          allowCustomValue: false,
        },
        settings.defaultWindow
      )
    );
  }
  for (const role of options.filters ?? FILTER_ROLES) {
    variables.push(
      new QueryVariable({
        name: filterVariable(role),
        label: displayName(role),
        datasource: PROMETHEUS_DS_REF,
        // Only label names from the validated settings in here, no user-supplied value.
        query: { refId: `${filterVariable(role)}-values`, query: labelValuesVariableQuery(settings, role, NO_FILTERS) },
        refresh: VariableRefresh.onTimeRangeChanged,
        sort: VariableSort.alphabeticalCaseInsensitiveAsc,
        isMulti: true,
        includeAll: true,
        defaultToAll: true,
      })
    );
  }
  // Every page: several clusters' figures are never shown merged without a way to tell them apart.
  variables.push(new ClusterVariable(settings));
  return new SceneVariableSet({ variables });
}
