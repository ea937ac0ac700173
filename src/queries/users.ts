/** The Users x Challenges page and each user's page: one cell per instance. */
import type { LabelNames } from '../metric/contract';
import { NO_FILTERS, WINDOW_VARIABLE, lastStates, type QueryFilters, type QuerySettings } from './common';

/**
 * The matrix source (instant, table format): each instance's state in the window's views, labelled with the four
 * labels and its column (MATRIX_COLUMN_LABEL): `<challenge id> @ <namespace>`, so each cell is one (namespace, user,
 * challenge) whatever the filters offer. The app's matrix names a column by the challenge id alone when the answer
 * holds one namespace (src/transforms/matrix.ts, singleNamespaceColumns: decided from the data); the bundled
 * dashboard, which has no such step, keeps the namespace in every column.
 */
export function matrixQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS, window = WINDOW_VARIABLE): string {
  const { challengeId, namespace } = s.labels;
  const column = `"${MATRIX_COLUMN_SEPARATOR}", "${challengeId}", "${namespace}"`;
  return `label_join(${lastStates(s, f, window)}, "${MATRIX_COLUMN_LABEL}", ${column})`;
}

/**
 * Label the matrix query adds to name its columns: the challenge id, or `<challenge id> @ <namespace>` when the
 * answer holds several namespaces, so each cell is one (namespace, user, challenge).
 */
export const MATRIX_COLUMN_LABEL = 'hexactf_matrix_column';
export const MATRIX_COLUMN_SEPARATOR = ' @ ';

/** The labels the matrix transforms pivot on: a row per user, a column per MATRIX_COLUMN_LABEL. */
export const matrixPivotLabels = (labels: LabelNames) => ({
  username: labels.username,
  challengeId: MATRIX_COLUMN_LABEL,
});

/** One user's instances (the per-user view): the matrix query restricted to that user. */
export function userInstancesQuery(
  s: QuerySettings,
  user: string,
  f: QueryFilters = NO_FILTERS,
  window = WINDOW_VARIABLE
): string {
  return lastStates(s, { ...f, username: [user] }, window);
}
