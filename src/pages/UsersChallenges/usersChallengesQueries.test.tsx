// The Users x Challenges page's queries: the matrix query as an instant table, the filters through the escaping,
// and a namespace's own columns when the answer holds several. The matrix's answer is src/test/users-matrix.ts.
import { act } from '@testing-library/react';
import { sceneGraph, type MultiValueVariable } from '@grafana/scenes';

import { MATRIX_COLUMN_LABEL } from '../../queries/users';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { prometheusInstantTable } from '../../test/prometheus-table';
import {
  lastQueriesOf,
  printedRows,
  renderScene,
  setupHarness,
  settle,
  viewStatesText,
} from '../../test/scene-harness';

import { usersChallengesScene } from './usersChallengesPage';
import { LEGACY, MATRIX, matrixText } from '../../test/users-matrix';

describe('Users x Challenges page', () => {
  it('sends the matrix query as an instant table (default labels and challeng_id)', async () => {
    for (const [settings, by, id] of [
      [DEFAULT_SETTINGS, 'namespace, username, challenge_id, challenge_name, cluster', 'challenge_id'],
      [LEGACY, 'namespace, username, challeng_id, challenge_name, cluster', 'challeng_id'],
    ] as const) {
      const harness = setupHarness();
      await renderScene(usersChallengesScene(settings));
      expect(lastQueriesOf(harness, 'matrix')).toEqual([
        expect.objectContaining({
          refId: 'A',
          expr: matrixText(viewStatesText(by, 'challenge_resource_status', '2h'), id),
          instant: true,
          range: false,
          format: 'table',
        }),
      ]);
    }
  });

  it('applies namespace, user and challenge filters through the escaping, changing $window too', async () => {
    const harness = setupHarness();
    harness.labelValues = { namespace: ['ctf'], username: ['a"b\\c'], challeng_id: ['re(v)*2'] };
    const scene = usersChallengesScene(LEGACY);
    await renderScene(scene);
    await act(async () => {
      (sceneGraph.lookupVariable('namespace', scene) as MultiValueVariable).changeValueTo(['ctf']);
      (sceneGraph.lookupVariable('user', scene) as MultiValueVariable).changeValueTo(['a"b\\c']);
      (sceneGraph.lookupVariable('challenge', scene) as MultiValueVariable).changeValueTo(['re(v)*2']);
      (sceneGraph.lookupVariable('window', scene) as MultiValueVariable).changeValueTo('6h');
    });
    await settle();
    expect(lastQueriesOf(harness, 'matrix')[0].expr).toBe(
      matrixText(
        viewStatesText(
          'namespace, username, challeng_id, challenge_name, cluster',
          'challenge_resource_status{namespace="ctf", username="a\\"b\\\\c", challeng_id="re(v)*2"}',
          '6h'
        ),
        'challeng_id'
      )
    );
  });

  // Changed on purpose: the columns follow what the answer holds, not the filter's options. Before, a namespace
  // filter offering one namespace (its options come from the latest label values) while the window reached another
  // merged the two instances into one cell.
  it('gives each namespace its own columns when the answer holds several, whatever the filter offers', async () => {
    const harness = setupHarness();
    harness.labelValues = { namespace: ['ctf'] };
    const row = (namespace: string, value: number) => ({
      labels: {
        namespace,
        challenge_id: 'web-1',
        username: 'alice',
        [MATRIX_COLUMN_LABEL]: `web-1 @ ${namespace}`,
      },
      value,
    });
    let rows = [row('ctf', 1), row('ctf-2', 3)];
    harness.respond = (q) => (q.runner === 'matrix' ? [prometheusInstantTable(rows, { timeMs: 1 })] : []);
    const scene = usersChallengesScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    expect(lastQueriesOf(harness, 'matrix')[0].expr).toContain(
      `"${MATRIX_COLUMN_LABEL}", " @ ", "challenge_id", "namespace")`
    );
    expect(printedRows(MATRIX)).toEqual([
      ['User', 'web-1 @ ctf', 'web-1 @ ctf-2'],
      ['alice', 'Running', 'Error'],
    ]);
    // An answer of one namespace: the columns are challenge ids.
    rows = [row('ctf', 1)];
    await act(async () => (sceneGraph.lookupVariable('namespace', scene) as MultiValueVariable).changeValueTo(['ctf']));
    await settle();
    expect(printedRows(MATRIX)).toEqual([
      ['User', 'web-1'],
      ['alice', 'Running'],
    ]);
  });
});
