import type { CustomTransformOperator, DataFrame, Field } from '@grafana/data';
import { map } from 'rxjs';

/**
 * The cluster in the app's tables only when the answer holds several clusters (settings/clusterRole.ts): with a
 * single Prometheus (no cluster label) or one cluster shown, the tables look as they always did; with several, a
 * Cluster column in the instance tables and a cluster in each matrix column, so two clusters' instances are never
 * one row or one cell. Decided from the data, like the matrix's namespace (matrix.ts, singleNamespaceColumns).
 */

/**
 * Whether a field is the cluster's: by its name, or by the name an organize step gave it (Grafana's rename sets the
 * display name and keeps the name: the label's).
 */
const isClusterField = (f: Field, clusterField: string) =>
  f.name === clusterField || f.config.displayName === clusterField;

/** The distinct cluster values of the answer (series without the label give none). */
export function clustersIn(frames: DataFrame[], clusterField: string): Set<string> {
  const clusters = new Set<string>();
  for (const frame of frames) {
    for (const v of frame.fields.find((f) => isClusterField(f, clusterField))?.values ?? []) {
      if (typeof v === 'string' && v !== '') {
        clusters.add(v);
      }
    }
  }
  return clusters;
}

/** The frames without the cluster field unless they hold several clusters. */
export function clusterColumnWhenSeveral(frames: DataFrame[], clusterField: string): DataFrame[] {
  if (clustersIn(frames, clusterField).size > 1) {
    return frames;
  }
  return frames.map((frame) =>
    frame.fields.some((f) => isClusterField(f, clusterField))
      ? { ...frame, fields: frame.fields.filter((f) => !isClusterField(f, clusterField)) }
      : frame
  );
}

/** clusterColumnWhenSeveral as a transformation step (after the organize step that names the column). */
export const clusterColumnWhenSeveralOperator =
  (clusterField: string): CustomTransformOperator =>
  () =>
    map((frames: DataFrame[]) => clusterColumnWhenSeveral(frames, clusterField));

/** Separates a matrix column's name from its cluster. */
export const CLUSTER_COLUMN_SEPARATOR = ' @ ';

/**
 * The matrix's columns per cluster when the answer holds several: `<column> @ <cluster>` (the same user and
 * challenge in two clusters are two cells); the columns as they are otherwise.
 */
export function perClusterColumns(frames: DataFrame[], labels: { cluster: string; column: string }): DataFrame[] {
  if (clustersIn(frames, labels.cluster).size < 2) {
    return frames;
  }
  return frames.map((frame) => {
    const cluster = frame.fields.find((f) => f.name === labels.cluster);
    if (!cluster) {
      return frame;
    }
    const name = (column: unknown, i: number) =>
      cluster.values[i] ? `${column}${CLUSTER_COLUMN_SEPARATOR}${cluster.values[i]}` : column;
    return {
      ...frame,
      fields: frame.fields.map((f) => (f.name === labels.column ? { ...f, values: f.values.map(name) } : f)),
    };
  });
}

/** perClusterColumns as a transformation step (the matrix: after singleNamespaceColumns, before the pivot). */
export const perClusterColumnsOperator =
  (labels: { cluster: string; column: string }): CustomTransformOperator =>
  () =>
    map((frames: DataFrame[]) => perClusterColumns(frames, labels));

/** The distinct cluster values on the series' labels (a series answer: the labels are on its value fields). */
export function clustersOnLabels(frames: DataFrame[], clusterLabel: string): Set<string> {
  const clusters = new Set<string>();
  for (const frame of frames) {
    for (const field of frame.fields) {
      const cluster = field.labels?.[clusterLabel];
      if (cluster) {
        clusters.add(cluster);
      }
    }
  }
  return clusters;
}

/**
 * Series named per cluster when the answer holds several: `<legend> @ <cluster>` (`alice @ a`), so two clusters'
 * series of one user or category are told apart in a legend, a bar gauge or a pie; as they are otherwise. The name
 * is the datasource's (the query's legend format), else the frame's.
 */
export function perClusterSeriesNames(frames: DataFrame[], clusterLabel: string): DataFrame[] {
  if (clustersOnLabels(frames, clusterLabel).size < 2) {
    return frames;
  }
  return frames.map((frame) => ({
    ...frame,
    fields: frame.fields.map((field) => {
      const cluster = field.labels?.[clusterLabel];
      if (!cluster) {
        return field;
      }
      const name = field.config.displayNameFromDS ?? frame.name ?? field.name;
      return {
        ...field,
        config: { ...field.config, displayNameFromDS: `${name}${CLUSTER_COLUMN_SEPARATOR}${cluster}` },
      };
    }),
  }));
}

/** perClusterSeriesNames as a transformation step. */
export const perClusterSeriesNamesOperator =
  (clusterLabel: string): CustomTransformOperator =>
  () =>
    map((frames: DataFrame[]) => perClusterSeriesNames(frames, clusterLabel));
