// The Usage page with several clusters in the answer: each entry names its cluster; with one, nothing changes.
import { FieldType, type DataFrame } from '@grafana/data';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { prometheusInstantTable } from '../../test/prometheus-table';
import {
  instantNumberFrame,
  printedRows,
  printedSeriesColors,
  renderScene,
  setupHarness,
  type SentQuery,
} from '../../test/scene-harness';
import { usageScene } from './usagePage';

/** Presence answers: both additive metrics there. */
const presence = (q: SentQuery) => (q.runner === 'usage-metrics-presence' ? [instantNumberFrame(q.refId, 1)] : []);

/** An instant series as the datasource gives it: its labels on the value field, named by the legend (`name`). */
function labelledFrame(labels: Record<string, string>, value: number, name = Object.values(labels)[0]): DataFrame {
  return {
    refId: 'A',
    name,
    length: 1,
    fields: [
      { name: 'Time', type: FieldType.time, config: {}, values: [1] },
      { name: 'Value', type: FieldType.number, labels, config: { displayNameFromDS: name }, values: [value] },
    ],
  };
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
        : q.runner === 'top-users'
          ? [
              labelledFrame({ username: 'alice', cluster: 'a' }, 3),
              labelledFrame({ username: 'alice', cluster: 'b' }, 1),
            ]
          : q.runner === 'requests-by-category'
            ? [
                prometheusInstantTable(
                  [
                    { labels: { category: 'web', cluster: 'a' }, value: q.refId === 'cpu' ? 2 : 1024 },
                    { labels: { category: 'web', cluster: 'b' }, value: q.refId === 'cpu' ? 1 : 1024 },
                  ],
                  { timeMs: 1, refId: q.refId, refIdsInResponse: 2 }
                ),
              ]
            : q.runner === 'category-share'
              ? [
                  labelledFrame({ category: 'web', cluster: 'a' }, 0.75),
                  labelledFrame({ category: 'web', cluster: 'b' }, 0.25),
                ]
              : presence(q);
    await renderScene(usageScene(DEFAULT_SETTINGS));
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
    expect(Object.keys(printedSeriesColors('Top users by peak concurrent instances'))).toEqual([
      'alice @ a',
      'alice @ b',
    ]);
    expect(Object.keys(printedSeriesColors('Share of running instances per category'))).toEqual(['web @ a', 'web @ b']);
  });

  it('shows no cluster with one cluster in the answer', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'peak-per-user'
        ? [prometheusInstantTable([{ labels: { username: 'alice', cluster: 'a' }, value: 3 }], { timeMs: 1 })]
        : q.runner === 'top-users'
          ? [labelledFrame({ username: 'alice', cluster: 'a' }, 3)]
          : [];
    await renderScene(usageScene(DEFAULT_SETTINGS));
    expect(printedRows('Peak concurrent instances per user')).toEqual([
      ['User', 'Peak instances'],
      ['alice', '3'],
    ]);
    expect(Object.keys(printedSeriesColors('Top users by peak concurrent instances'))).toEqual(['alice']);
  });
});
