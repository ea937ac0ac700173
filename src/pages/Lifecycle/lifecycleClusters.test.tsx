// The Lifecycle page with several clusters in the answer: the operator's health per cluster, the waits per definition
// with a Cluster column.
import { FieldType, type DataFrame } from '@grafana/data';
import { config } from '@grafana/runtime';
import { ChallengeState, stateInfo } from '../../metric/contract';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { prometheusInstantTable } from '../../test/prometheus-table';
import { printedRows, printedSeriesColors, renderScene, setupHarness } from '../../test/scene-harness';
import { lifecycleScene } from './lifecyclePage';

/** A range series as the datasource gives it: named by its legend, its labels on the value field. */
function rangeFrame(refId: string, values: number[], name: string, labels: Record<string, string>): DataFrame {
  return {
    refId,
    length: values.length,
    fields: [
      { name: 'Time', type: FieldType.time, config: { interval: 30_000 }, values: values.map((_, i) => i * 30_000) },
      { name: 'Value', type: FieldType.number, labels, config: { displayNameFromDS: name }, values },
    ],
  };
}

describe('Lifecycle page, several clusters', () => {
  it('draws the reconcile results per cluster when two clusters answer, errors red in both', async () => {
    const harness = setupHarness();
    const perCluster = (refId: string, name: string) =>
      ['a', 'b'].map((cluster) => rangeFrame(refId, [1], name, { cluster }));
    harness.respond = (q) =>
      q.runner === 'reconcile-rate'
        ? q.refId === 'errors'
          ? perCluster(q.refId, 'errors')
          : ['error', 'success'].flatMap((result) => perCluster(q.refId, result))
        : [];
    await renderScene(lifecycleScene(DEFAULT_SETTINGS));
    const red = config.theme2.visualization.getColorByName(stateInfo(ChallengeState.Error).color);
    const shown = printedSeriesColors('Reconciles per second');
    expect(Object.keys(shown).sort()).toEqual([
      'error @ a',
      'error @ b',
      'errors @ a',
      'errors @ b',
      'success @ a',
      'success @ b',
    ]);
    expect([shown['error @ a'], shown['error @ b'], shown['errors @ b']]).toEqual([red, red, red]);
    expect(shown['success @ a']).not.toBe(red);
  });

  it('gives the per-definition waits a Cluster column when two clusters answer: one definition name is two rows', async () => {
    const harness = setupHarness();
    const answer = (refId: string, scale: number) =>
      prometheusInstantTable(
        ['a', 'b'].map((cluster, i) => ({ labels: { definition: 'web-login', cluster }, value: (i + 1) * scale })),
        { timeMs: 1, refId, refIdsInResponse: 3 }
      );
    harness.respond = (q) =>
      q.runner === 'time-to-running-by-definition' ? [answer('p50', 1), answer('p90', 10), answer('p99', 100)] : [];
    await renderScene(lifecycleScene(DEFAULT_SETTINGS));
    expect(printedRows('Time to Running per definition')).toEqual([
      ['Definition', 'Cluster', 'p50', 'p90', 'p99'],
      ['web-login', 'a', '1 s', '10 s', '1.67 mins'],
      ['web-login', 'b', '2 s', '20 s', '3.33 mins'],
    ]);
  });
});
