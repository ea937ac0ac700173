/**
 * The cluster role: the label that tells several clusters' series apart behind one Thanos Query or VictoriaMetrics
 * (an external label each cluster's Prometheus adds, e.g. `cluster="a"`). It is not part of the operator's metric
 * contract (the operator never exports it; src/metric/contract.ts DEFAULT_LABELS are the operator's labels), so it
 * lives beside the four label roles (labelRoles.ts) instead of among them: it is optional on every series.
 *
 * Every query keeps it in its `by`/`on` lists, so two clusters' instances with the same namespace, user and
 * challenge stay two instances. With a single Prometheus no series has it and the queries answer as without it
 * (`max by (..., cluster)` over series lacking the label groups them as before).
 */

/** The app settings field (jsonData) holding the cluster label's name. */
export const CLUSTER_SETTINGS_FIELD = 'clusterLabel';

/** The cluster label's name when the setting is empty (the name the docs tell organizers to use). */
export const DEFAULT_CLUSTER_LABEL = 'cluster';

/** The page variable filtering on the cluster (its `var-cluster` URL parameter too); also its QueryFilters key. */
export const CLUSTER_FILTER = 'cluster';

export const CLUSTER_ROLE = Object.freeze({
  settingsField: CLUSTER_SETTINGS_FIELD,
  filterVariable: CLUSTER_FILTER,
  displayName: 'Cluster',
  settingLabel: 'Cluster label',
  defaultLabel: DEFAULT_CLUSTER_LABEL,
  help: "The external label telling clusters apart behind Thanos Query or VictoriaMetrics (not the operator's: each cluster's Prometheus adds it). Unused with a single Prometheus.",
});
