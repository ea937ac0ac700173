// The Users x Challenges matrix as the pages' tests feed it (src/pages/UsersChallenges/*.test.tsx): the query text
// around the view states, the panel's title, and the instant table Prometheus answers the matrix query with.
import { MATRIX_COLUMN_LABEL } from '../queries/users';
import { prometheusInstantTable } from './prometheus-table';
import { LEGACY_SETTINGS } from './scene-harness';

export const LEGACY = LEGACY_SETTINGS;

/** The matrix query around the view states: each instance labelled with its column (the challenge id). */
export const matrixText = (states: string, idLabel: string) =>
  `label_join(${states}, "${MATRIX_COLUMN_LABEL}", " @ ", "${idLabel}", "namespace")`;
export const MATRIX = 'Users x Challenges';

/** The instant table Prometheus returns for the matrix query: one row per instance. */
export function matrixResponse(idLabel: string) {
  const row = (user: string, id: string, value: number) => ({
    labels: {
      namespace: 'ctf',
      [idLabel]: id,
      challenge_name: `${id}-${user}`,
      username: user,
      [MATRIX_COLUMN_LABEL]: id,
    },
    value,
  });
  return [
    prometheusInstantTable(
      [
        row('alice', 'web-1', 1),
        row('alice', 'pwn-2', 3),
        row('bob', 'web-1', 2),
        row('o"b', 'pwn-2', 0),
        // A username that reads like a state value.
        row('2', 'web-1', 0),
      ],
      {
        timeMs: 1_700_000_000_000,
      }
    ),
  ];
}
