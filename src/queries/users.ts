/** The Users x Challenges page and each user's page: one cell per instance. */
import type { LabelNames } from '../metric/contract';
import { NO_FILTERS, WINDOW_VARIABLE, lastStates, type QueryFilters, type QuerySettings } from './common';

/**
 * The matrix source (instant, table format): each instance's state in the window's views, labelled with the four
 * labels and its column (MATRIX_COLUMN_LABEL). The transforms pivot it into users x challenges.
 */
export function matrixQuery(
  s: QuerySettings,
  f: QueryFilters = NO_FILTERS,
  window = WINDOW_VARIABLE,
  severalNamespaces = false
): string {
  const { challengeId, namespace } = s.labels;
  const column = severalNamespaces
    ? `"${MATRIX_COLUMN_SEPARATOR}", "${challengeId}", "${namespace}"`
    : `"", "${challengeId}"`;
  return `label_join(${lastStates(s, f, window)}, "${MATRIX_COLUMN_LABEL}", ${column})`;
}

/**
 * Label the matrix query adds to name its columns: the challenge id, or `<challenge id> @ <namespace>` when several
 * namespaces are shown, so each cell is one (namespace, user, challenge).
 */
export const MATRIX_COLUMN_LABEL = 'hexactf_matrix_column';
const MATRIX_COLUMN_SEPARATOR = ' @ ';

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
