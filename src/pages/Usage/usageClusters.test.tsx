// The Usage page with several clusters in the answer: each entry names its cluster; with one, nothing changes.
import type { DataFrame } from '@grafana/data';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { prometheusInstantTable } from '../../test/prometheus-table';
import { sceneGraph } from '@grafana/scenes';
import {
  instantNumberFrame,
  panelTitled,
  printedDisplayValues,
  printedRows,
  printedSeriesColors,
  renderScene,
  setupHarness,
  type SentQuery,
} from '../../test/scene-harness';
import { usageScene } from './usagePage';
import { RUNNING_INSTANCES_REF_ID } from '../../queries/usage';

/** Presence answers: both additive metrics there. */
const presence = (q: SentQuery) => (q.runner === 'usage-metrics-presence' ? [instantNumberFrame(q.refId, 1)] : []);

/**
 * The page's two answers of question 2 (instant tables, two refIds in the response). Cluster a: one instance of its
 * web-1 (2 cores, 1 KiB) and two of web-2, which requests nothing; cluster b: one of its own web-1 (1 core, 1 KiB).
 */
function capacity(refId: string): DataFrame[] {
  const running = [
    {
      labels: { challenge_id: 'web-1', namespace: 'ctf', definition: 'web-1', category: 'web', cluster: 'a' },
      value: 1,
    },
    {
      labels: { challenge_id: 'web-2', namespace: 'ctf', definition: 'web-2', category: 'web', cluster: 'a' },
      value: 2,
    },
    {
      labels: { challenge_id: 'web-1', namespace: 'ctf', definition: 'web-1', category: 'web', cluster: 'b' },
      value: 1,
    },
  ];
  const requested = (cluster: string, cpu: number) =>
    (['cpu', 'memory'] as const).map((resource) => ({
      labels: { namespace: 'ctf', definition: 'web-1', cluster, resource },
      value: resource === 'cpu' ? cpu : 1024,
    }));
  const samples = refId === RUNNING_INSTANCES_REF_ID ? running : [...requested('a', 2), ...requested('b', 1)];
  return [prometheusInstantTable(samples, { timeMs: 1, refId, refIdsInResponse: 2 })];
}

describe('Usage page, several clusters', () => {
  it('names each cluster in the peak table, the top users and the requests when the answer holds two', async () => {
    const harness = setupHarness();
    const peaks = [
      { labels: { username: 'alice', cluster: 'a' }, value: 3 },
      { labels: { username: 'alice', cluster: 'b' }, value: 1 },
    ];
    harness.respond = (q) =>
      q.runner === 'peak-per-user'
        ? [prometheusInstantTable(peaks, { timeMs: 1 })]
        : q.runner === 'capacity'
          ? capacity(q.refId)
          : presence(q);
    const scene = usageScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    expect(printedRows('Peak concurrent instances per user')).toEqual([
      ['User', 'Cluster', 'Peak instances'],
      ['alice', 'a', '3'],
      ['alice', 'b', '1'],
    ]);
    expect(printedRows('Requested by running instances, per category')).toEqual([
      ['Category', 'Cluster', 'CPU requested (cores)', 'Memory requested'],
      ['web', 'a', '2', '1 KiB'],
      ['web', 'b', '1', '1 KiB'],
    ]);
    expect(printedDisplayValues('Top users by peak concurrent instances')).toEqual([
      ['alice @ a', '3'],
      ['alice @ b', '1'],
    ]);
    expect(Object.keys(printedSeriesColors('Share of running instances per category'))).toEqual(['web @ a', 'web @ b']);
    expect(Object.keys(printedSeriesColors('Running instances per category'))).toEqual(['web @ a', 'web @ b']);
    // The share of all the clusters' Running instances: 3 of 4 in a, 1 in b.
    const shares = sceneGraph.getData(panelTitled(scene, 'Share of running instances per category')).state.data?.series;
    expect(shares?.map((frame) => [frame.fields[1].labels, frame.fields[1].values[0]])).toEqual([
      [{ category: 'web', cluster: 'a' }, 0.75],
      [{ category: 'web', cluster: 'b' }, 0.25],
    ]);
  });

  it('shows no cluster with one cluster in the answer', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'peak-per-user'
        ? [prometheusInstantTable([{ labels: { username: 'alice', cluster: 'a' }, value: 3 }], { timeMs: 1 })]
        : [];
    await renderScene(usageScene(DEFAULT_SETTINGS));
    expect(printedRows('Peak concurrent instances per user')).toEqual([
      ['User', 'Peak instances'],
      ['alice', '3'],
    ]);
    expect(printedDisplayValues('Top users by peak concurrent instances')).toEqual([['alice', '3']]);
  });
});
