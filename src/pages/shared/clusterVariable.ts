import { QueryVariable } from '@grafana/scenes';
import { VariableHide, VariableRefresh, VariableSort } from '@grafana/schema';
import { PROMETHEUS_DS_REF } from '../../data/datasource';
import { labelValuesVariableQuery, NO_FILTERS, type QuerySettings } from '../../queries/common';
import { CLUSTER_FILTER, CLUSTER_ROLE } from '../../settings/clusterRole';

/**
 * The cluster filter (settings/clusterRole.ts): the values of the gauge's cluster label, offered only when there
 * are several. With a single Prometheus (no cluster label) or one cluster there is nothing to choose, so the
 * variable hides itself and stays on "All" (which sends no matcher: data/filters.ts). Decided from its own options,
 * each time they load (a range before the second cluster joined has one).
 */
export class ClusterVariable extends QueryVariable {
  constructor(settings: QuerySettings) {
    super({
      name: CLUSTER_FILTER,
      label: CLUSTER_ROLE.displayName,
      datasource: PROMETHEUS_DS_REF,
      // Only the validated label name in here, no user-supplied value.
      query: {
        refId: `${CLUSTER_FILTER}-values`,
        query: labelValuesVariableQuery(settings, CLUSTER_FILTER, NO_FILTERS),
      },
      refresh: VariableRefresh.onTimeRangeChanged,
      sort: VariableSort.alphabeticalCaseInsensitiveAsc,
      isMulti: true,
      includeAll: true,
      defaultToAll: true,
      hide: VariableHide.hideVariable,
    });
    this.addActivationHandler(() => {
      this.showWhenSeveral();
      const sub = this.subscribeToState((next, prev) => {
        if (next.options !== prev.options) {
          this.showWhenSeveral();
        }
      });
      return () => sub.unsubscribe();
    });
  }

  /**
   * Whether the options offer two clusters or more; undefined while they load. With one or none a stopped operator
   * is the whole page's (the page-level check says so), so there is no cluster to single out.
   */
  public severalClusters(): boolean | undefined {
    return this.state.loading ? undefined : clusterChoices(this.state.options) > 1;
  }

  /** Shown with two clusters or more; hidden with one or none. */
  private showWhenSeveral() {
    const hide = this.severalClusters() ? VariableHide.dontHide : VariableHide.hideVariable;
    if (hide !== this.state.hide) {
      this.setState({ hide });
    }
  }
}

/** How many clusters the options offer ("All" is not one; neither is the empty value of series without the label). */
const clusterChoices = (options: ReadonlyArray<{ value: unknown }>) =>
  options.filter((o) => o.value !== '' && o.value !== '$__all').length;
