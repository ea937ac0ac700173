// The Usage page's tables: a Cluster column when the answer holds several clusters, so two clusters' rows of one
// user, challenge or category never look like one.
import { DataTransformerID } from '@grafana/data';
import type { SceneDataTransformer } from '@grafana/scenes';
import { clusterLabelOf } from '../../queries/common';
import type { ResolvedSettings } from '../../settings/settings';
import { clusterColumnWhenSeveralOperator } from '../../transforms/clusterColumn';

/** The Cluster column of the tables (shown only when the answer holds several clusters). */
export const CLUSTER_COLUMN = 'Cluster';

/**
 * Keeps the label `keep` (shown as `keepAs`), the cluster when the answer holds several (a Cluster column after it:
 * two clusters' rows of one user or challenge are told apart) and the value columns, renamed; sorted by the first
 * value, largest first, ties by name. The steps of a transformer that reads its panel's parents' data (the page's
 * runner it shares with other panels).
 */
export function tableSteps(
  s: ResolvedSettings,
  [keep, keepAs]: [string, string],
  values: Record<string, string>
): SceneDataTransformer['state']['transformations'] {
  const cluster = clusterLabelOf(s);
  const names = [keep, cluster, ...Object.keys(values)];
  const rename = { ...values, [keep]: keepAs, [cluster]: CLUSTER_COLUMN };
  return [
    ...(Object.keys(values).length > 1 ? [{ id: DataTransformerID.merge, options: {} }] : []),
    {
      id: DataTransformerID.organize,
      options: {
        includeByName: Object.fromEntries(names.map((n) => [n, true])),
        excludeByName: {},
        indexByName: Object.fromEntries(names.map((n, i) => [n, i])),
        renameByName: rename,
      },
    },
    clusterColumnWhenSeveralOperator(CLUSTER_COLUMN),
    // By name first, then by the value: the sort is stable, so rows with the same value stay in name order
    // instead of Prometheus' answer order, which changes from one load to the next.
    { id: DataTransformerID.sortBy, options: { sort: [{ field: keepAs, desc: false }] } },
    { id: DataTransformerID.sortBy, options: { sort: [{ field: Object.values(values)[0], desc: true }] } },
  ];
}
