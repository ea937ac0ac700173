import {
  DataTransformerID,
  FieldType,
  ReducerID,
  SpecialValue,
  transformDataFrame,
  type CustomTransformOperator,
  type DataFrame,
  type DataTransformerConfig,
  type GroupingToMatrixTransformerOptions,
} from '@grafana/data';
import { lastValueFrom, map, mergeMap, of } from 'rxjs';

/** The label names the matrix pivots on (configurable: the original HexaCTF operator spelled the first `challeng_id`). */
export interface MatrixLabels {
  challengeId: string;
  username: string;
}

/**
 * Name of the value column in the table Grafana's Prometheus datasource builds for an instant `format: table`
 * query: `Value` when the panel has one query, `Value #<refId>` when it has several.
 */
export const TABLE_VALUE_FIELD = 'Value';

/** Name of the matrix's first column, holding the row labels: grouping to matrix names it `<row>\\<column>`. */
export const matrixRowField = (labels: MatrixLabels) => `${labels.username}\\${labels.challengeId}`;

/** Group by names its aggregated column `<field> (<reducer>)`. */
const aggregatedName = (field: string, reducer: string) => `${field} (${reducer})`;

/**
 * The HexaCTF write-up's user x challenge pipeline, exactly as it was built by hand in Grafana's transform editor:
 * 1. organize fields by name: keep the challenge id, the username and the value; drop Time and every other label
 *    (challenge_name, namespace, instance, job, ... whatever the scrape added);
 * 2. group by challenge id + username, value = last: one cell per (user, column). The page pivots on the matrix
 *    query's column label, which carries the namespace too when several are shown, so the same user and challenge
 *    id in two namespaces stay two cells;
 * 3. grouping to matrix: one row per username, one column per challenge id.
 * Missing (user, challenge) pairs become null, which the table renders as an empty cell. The transformer's default
 * (an empty string) would render empty too, but null keeps the column numeric, so it never meets a value mapping
 * and CSV export writes an empty field.
 */
export function matrixTransformations(labels: MatrixLabels, valueField = TABLE_VALUE_FIELD): DataTransformerConfig[] {
  const { challengeId, username } = labels;
  const lastValue = aggregatedName(valueField, ReducerID.last);
  const matrixOptions: GroupingToMatrixTransformerOptions = {
    rowField: username,
    columnField: challengeId,
    valueField: lastValue,
    emptyValue: SpecialValue.Null,
  };
  return [
    {
      id: DataTransformerID.organize,
      options: {
        includeByName: { [challengeId]: true, [username]: true, [valueField]: true },
        excludeByName: {},
        indexByName: { [username]: 0, [challengeId]: 1, [valueField]: 2 },
        renameByName: {},
      },
    },
    {
      id: DataTransformerID.groupBy,
      options: {
        fields: {
          [challengeId]: { operation: 'groupby', aggregations: [] },
          [username]: { operation: 'groupby', aggregations: [] },
          [valueField]: { operation: 'aggregate', aggregations: [ReducerID.last] },
        },
      },
    },
    { id: DataTransformerID.groupingToMatrix, options: matrixOptions },
  ];
}

/** The labels singleNamespaceColumns reads and rewrites. */
export interface MatrixColumnLabels {
  challengeId: string;
  namespace: string;
  /** The column label of the matrix query (MATRIX_COLUMN_LABEL): `<challenge id> @ <namespace>`. */
  column: string;
}

/**
 * The matrix's columns from what the answer holds: the query names each column `<challenge id> @ <namespace>`;
 * when every row of the answer is of one namespace (or none says), the column is the challenge id alone. With
 * several namespaces in the answer the namespace stays, so the same user and challenge id in two namespaces are two
 * cells, whatever the namespace filter offers or selects.
 */
export function singleNamespaceColumns(frames: DataFrame[], labels: MatrixColumnLabels): DataFrame[] {
  const namespaces = new Set<unknown>();
  for (const frame of frames) {
    const ns = frame.fields.find((f) => f.name === labels.namespace);
    for (const v of ns?.values ?? []) {
      namespaces.add(v);
    }
  }
  if (namespaces.size > 1) {
    return frames;
  }
  return frames.map((frame) => {
    const id = frame.fields.find((f) => f.name === labels.challengeId);
    if (!id || !frame.fields.some((f) => f.name === labels.column)) {
      return frame;
    }
    return {
      ...frame,
      fields: frame.fields.map((f) => (f.name === labels.column ? { ...f, values: [...id.values] } : f)),
    };
  });
}

/** singleNamespaceColumns as a transformation step (a custom operator: it runs in the app, not in a dashboard). */
export const singleNamespaceColumnsOperator =
  (labels: MatrixColumnLabels): CustomTransformOperator =>
  () =>
    map((frames: DataFrame[]) => singleNamespaceColumns(frames, labels));

/**
 * Names the matrix's first column (grouping to matrix calls it `<row>\\<column>`, an internal name) `header`, in an
 * organize step: the transformed frames carry it, so the table, Inspect's unformatted data and a dashboard built
 * from the same steps all read it, with or without the panel's field config. Grafana renames by display name
 * (`field.name` stays, so field overrides can still match the internal name).
 */
export function matrixRowHeader(labels: MatrixLabels, header: string): DataTransformerConfig {
  return {
    id: DataTransformerID.organize,
    options: { excludeByName: {}, indexByName: {}, renameByName: { [matrixRowField(labels)]: header } },
  };
}

/** A custom step that stands for standard ones: a dashboard (panelJson) holds `standardSteps` in its place. */
export type StandardEquivalentOperator = CustomTransformOperator & { standardSteps: DataTransformerConfig[] };

/**
 * The matrix of matrixTransformations + matrixRowHeader in one pass over the answer: the same frame (the same
 * fields, names, types, config and display names, row and column order, the last value per cell, null where a pair
 * has no value).
 * Only for the answer's usual shape (one frame, the three fields, string labels, a numeric value); anything else
 * gives undefined and goes through the standard steps. Unlike group by, it never merges two pairs whose labels
 * joined with a comma read the same (group by keys its groups by that string).
 */
export function pivotMatrix(
  frames: DataFrame[],
  labels: MatrixLabels,
  header: string,
  valueField = TABLE_VALUE_FIELD
): DataFrame[] | undefined {
  if (frames.length !== 1) {
    return undefined;
  }
  const byName = (name: string) => frames[0].fields.find((f) => f.name === name);
  const user = byName(labels.username);
  const column = byName(labels.challengeId);
  const value = byName(valueField);
  if (!user || !column || !value || value.type !== FieldType.number || frames[0].length === 0) {
    return undefined;
  }
  const rows = new Map<string, number>();
  const columns = new Map<string, Array<number | null>>();
  const n = frames[0].length;
  for (let i = 0; i < n; i++) {
    const u = user.values[i];
    const c = column.values[i];
    if (typeof u !== 'string' || typeof c !== 'string') {
      return undefined;
    }
    let row = rows.get(u);
    if (row === undefined) {
      row = rows.size;
      rows.set(u, row);
    }
    let cells = columns.get(c);
    if (!cells) {
      cells = [];
      columns.set(c, cells);
    }
    cells[row] = value.values[i] ?? null;
  }
  const config = {};
  const cellFields = [...columns].map(([name, cells]) => {
    const values: Array<number | null> = new Array(rows.size);
    for (let r = 0; r < rows.size; r++) {
      values[r] = cells[r] ?? null;
    }
    // The display-name cache the standard steps leave on the frame (the organize step fills it).
    return { name, values, config, type: value.type, state: { displayName: name, multipleFrames: false } };
  });
  return [
    {
      fields: [
        {
          name: matrixRowField(labels),
          values: [...rows.keys()],
          type: user.type,
          config: { ...user.config, displayName: header },
          state: { displayName: header, multipleFrames: false },
        },
        ...cellFields,
      ],
      length: rows.size,
    },
  ];
}

/**
 * pivotMatrix as one transformation step, with the standard steps it stands for (matrixTransformations +
 * matrixRowHeader): they run when the answer is not of the usual shape, and a dashboard built from the panel holds
 * them.
 */
export function matrixPivotOperator(labels: MatrixLabels, header: string): StandardEquivalentOperator {
  const standardSteps = [...matrixTransformations(labels), matrixRowHeader(labels, header)];
  const operator: CustomTransformOperator = () =>
    mergeMap((frames: DataFrame[]) => {
      const pivoted = pivotMatrix(frames, labels, header);
      return pivoted ? of(pivoted) : transformDataFrame(standardSteps, frames);
    });
  return Object.assign(operator, { standardSteps });
}

/**
 * Runs transformations through Grafana's own transformDataFrame (what a panel does) and resolves with the result.
 * The standard transformer registry must already be filled (Grafana does it at boot; tests and the benchmark use
 * src/test/register-transformers.ts). Entries resolve lazily, hence a Promise.
 */
export function applyTransformations(frames: DataFrame[], configs: DataTransformerConfig[]): Promise<DataFrame[]> {
  return lastValueFrom(transformDataFrame(configs, frames));
}
