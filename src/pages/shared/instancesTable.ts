import { DataTransformerID } from '@grafana/data';
import { PanelBuilders, SceneDataTransformer, SceneFlexItem } from '@grafana/scenes';
import type { LabelNames } from '../../metric/contract';
import { clusterLabelOf, type QueryFilters, type QuerySettings } from '../../queries/common';
import { CLUSTER_ROLE } from '../../settings/clusterRole';
import { clusterColumnWhenSeveralOperator } from '../../transforms/clusterColumn';
import { LABEL_ROLES, ROLES } from '../../settings/labelRoles';
import { FilteredQueryRunner } from '../../data/FilteredQueryRunner';
import { instantTable } from '../../data/promQuery';
import { stateCells } from './stateStyles';

/** The column holding each instance's state. */
export const STATE_COLUMN = 'State';

/**
 * Organize-fields options that turn a Prometheus instant table of instances (Time, the four labels, whatever the
 * scrape added, Value) into the four labels, in role order under their display names, and a value column named
 * `valueName`. With `clusterLabel`, the cluster comes first, as Cluster (clusterColumn.ts drops it unless the
 * answer holds several clusters).
 */
export function instanceColumns(labels: LabelNames, valueName: string, valueField = 'Value', clusterLabel?: string) {
  const order = [...(clusterLabel ? [clusterLabel] : []), ...ROLES.map((role) => labels[role]), valueField];
  return {
    includeByName: Object.fromEntries(order.map((name) => [name, true])),
    excludeByName: {},
    indexByName: Object.fromEntries(order.map((name, i) => [name, i])),
    renameByName: {
      ...Object.fromEntries(ROLES.map((role) => [labels[role], LABEL_ROLES[role].displayName])),
      ...(clusterLabel ? { [clusterLabel]: CLUSTER_ROLE.displayName } : {}),
      [valueField]: valueName,
    },
  };
}

export interface InstancesTableOptions {
  /** The runner's key (tests find a panel's queries by it). */
  key: string;
  title: string;
  /** What the table lists (the panel's description). */
  description: string;
  /** What the table says when no instance matches. */
  noValue: string;
  minHeight: number;
  /**
   * The instant query of instances (the four labels, valued with the state) for the selected filters, at `at` (Unix
   * seconds, QuerySettings.at) while the operator's state is last known.
   */
  build: (f: QueryFilters, at?: number) => string;
  /** The page's settings, for the operator check (src/data/operatorKnowledge.ts). */
  settings: QuerySettings;
}

/**
 * A table of instances: namespace, user, challenge, name and the state in a coloured cell; the cluster first when
 * the answer holds several.
 */
export function instancesTable(
  labels: LabelNames,
  { key, title, description, noValue, minHeight, build, settings }: InstancesTableOptions
) {
  const data = new SceneDataTransformer({
    $data: new FilteredQueryRunner({
      key,
      settings,
      operatorKnowledge: 'window',
      build: (f, _recordingRules, at) => [instantTable('A', build(f, at))],
    }),
    transformations: [
      {
        id: DataTransformerID.organize,
        options: instanceColumns(labels, STATE_COLUMN, 'Value', clusterLabelOf(settings)),
      },
      clusterColumnWhenSeveralOperator(CLUSTER_ROLE.displayName),
    ],
  });
  return new SceneFlexItem({
    minHeight,
    body: PanelBuilders.table()
      .setTitle(title)
      .setDescription(description)
      .setData(data)
      .setNoValue(noValue)
      .setOverrides((b) => stateCells(b.matchFieldsWithName(STATE_COLUMN)))
      .build(),
  });
}
