import { FieldType, toDataFrame, type DataFrame } from '@grafana/data';
import { clusterColumnWhenSeveral, perClusterColumns, perClusterSeriesNames } from './clusterColumn';

const table = (clusters: Array<string | undefined>): DataFrame =>
  toDataFrame({
    fields: [
      ...(clusters.some((c) => c !== undefined)
        ? [{ name: 'Cluster', type: FieldType.string, values: clusters.map((c) => c ?? '') }]
        : []),
      { name: 'User', type: FieldType.string, values: clusters.map(() => 'alice') },
      { name: 'col', type: FieldType.string, values: clusters.map(() => 'web-1') },
      { name: 'Value', type: FieldType.number, values: clusters.map(() => 1) },
    ],
  });
const names = (frames: DataFrame[]) => frames[0].fields.map((f) => f.name);
const values = (frames: DataFrame[], name: string) => frames[0].fields.find((f) => f.name === name)?.values;

describe('the Cluster column of the instance tables', () => {
  it('is there when the answer holds two clusters', () => {
    expect(names(clusterColumnWhenSeveral([table(['a', 'b'])], 'Cluster'))).toEqual([
      'Cluster',
      'User',
      'col',
      'Value',
    ]);
  });

  it('is dropped with one cluster, or series without the label', () => {
    expect(names(clusterColumnWhenSeveral([table(['a', 'a'])], 'Cluster'))).toEqual(['User', 'col', 'Value']);
    expect(names(clusterColumnWhenSeveral([table([undefined])], 'Cluster'))).toEqual(['User', 'col', 'Value']);
  });
});

describe('the matrix columns per cluster', () => {
  const labels = { cluster: 'Cluster', column: 'col' };

  it('names each column with its cluster when the answer holds two: the same user and challenge stay two cells', () => {
    expect(values(perClusterColumns([table(['a', 'b'])], labels), 'col')).toEqual(['web-1 @ a', 'web-1 @ b']);
  });

  it('leaves the columns alone with one cluster or none', () => {
    expect(values(perClusterColumns([table(['a', 'a'])], labels), 'col')).toEqual(['web-1', 'web-1']);
    expect(values(perClusterColumns([table([undefined, undefined])], labels), 'col')).toEqual(['web-1', 'web-1']);
  });
});

describe('series names per cluster', () => {
  const series = (name: string, labels: Record<string, string>): DataFrame => ({
    name,
    length: 1,
    fields: [
      { name: 'Time', type: FieldType.time, config: {}, values: [1] },
      { name: 'Value', type: FieldType.number, labels, config: { displayNameFromDS: name }, values: [1] },
    ],
  });
  const shown = (frames: DataFrame[]) => frames.map((f) => f.fields[1].config.displayNameFromDS);

  it('names each series with its cluster when the answer holds two: the same user in both is two entries', () => {
    const frames = [
      series('alice', { username: 'alice', cluster: 'a' }),
      series('alice', { username: 'alice', cluster: 'b' }),
    ];
    expect(shown(perClusterSeriesNames(frames, 'cluster'))).toEqual(['alice @ a', 'alice @ b']);
  });

  it('leaves the names alone with one cluster or none', () => {
    const one = [
      series('alice', { username: 'alice', cluster: 'a' }),
      series('bob', { username: 'bob', cluster: 'a' }),
    ];
    expect(shown(perClusterSeriesNames(one, 'cluster'))).toEqual(['alice', 'bob']);
    const none = [series('alice', { username: 'alice' }), series('bob', { username: 'bob' })];
    expect(shown(perClusterSeriesNames(none, 'cluster'))).toEqual(['alice', 'bob']);
  });

  it('reads the cluster from the configured label only', () => {
    const frames = [
      series('alice', { username: 'alice', site: 'a' }),
      series('alice', { username: 'alice', site: 'b' }),
    ];
    expect(shown(perClusterSeriesNames(frames, 'cluster'))).toEqual(['alice', 'alice']);
    expect(shown(perClusterSeriesNames(frames, 'site'))).toEqual(['alice @ a', 'alice @ b']);
  });
});
