import { FieldType, type DataFrame } from '@grafana/data';
import { firstValueFrom, of } from 'rxjs';
import { DEFINITION_REQUESTS_REF_ID, RUNNING_INSTANCES_REF_ID } from '../queries/usage';
import { prometheusInstantTable, type InstantSample } from '../test/prometheus-table';
import { categoryCounts, categoryCountsOperator, requestsBy } from './usageCounts';

const LABELS = { challengeId: 'challenge_id', namespace: 'namespace', cluster: 'cluster' };
const TIME = 1_700_000_000_000;

const running = (challenge_id: string, namespace: string, definition: string, category: string, value: number) => ({
  labels: { challenge_id, namespace, definition, category },
  value,
});
const request = (namespace: string, definition: string, resource: string, value: number) => ({
  labels: { namespace, definition, resource },
  value,
});

/** The two answers as the Prometheus datasource hands them to the runner: one table per refId. */
function answer(instances: InstantSample[], requests: InstantSample[]): DataFrame[] {
  return [
    prometheusInstantTable(instances, { timeMs: TIME, refId: RUNNING_INSTANCES_REF_ID, refIdsInResponse: 2 }),
    prometheusInstantTable(requests, { timeMs: TIME, refId: DEFINITION_REQUESTS_REF_ID, refIdsInResponse: 2 }),
  ];
}

const FIXTURE = answer(
  [
    running('web-1', 'ctf', 'web-1', 'web', 2),
    running('web-1', 'ctf-2', 'web-1', 'web', 1),
    running('rev-1', 'ctf', 'rev-1', 'uncategorized', 1),
    // pwn-1's definition requests CPU only; misc-1's exports no requests at all.
    running('pwn-1', 'ctf', 'pwn-1', 'pwn', 3),
    running('misc-1', 'ctf', 'misc-1', 'misc', 2),
  ],
  [
    request('ctf', 'web-1', 'cpu', 0.5),
    request('ctf', 'web-1', 'memory', 256),
    request('ctf-2', 'web-1', 'cpu', 1.5),
    request('ctf-2', 'web-1', 'memory', 100),
    request('ctf', 'rev-1', 'cpu', 1),
    request('ctf', 'rev-1', 'memory', 512),
    request('ctf', 'pwn-1', 'cpu', 2),
  ]
);

/** A table's rows: its string columns and value, by column name. */
const rows = (frame: DataFrame) =>
  Array.from({ length: frame.length }, (_, i) =>
    Object.fromEntries(frame.fields.filter((f) => f.type !== FieldType.time).map((f) => [f.name, f.values[i]]))
  );

describe('categoryCounts', () => {
  it('gives a series per category, named by it, its labels on the value, as an instant query named {{category}}', () => {
    const frames = categoryCounts(FIXTURE, LABELS, false);
    expect(
      frames.map((f) => [f.name, f.fields[1].labels, f.fields[1].config.displayNameFromDS, f.fields[1].values])
    ).toEqual([
      ['web', { category: 'web' }, 'web', [3]],
      ['uncategorized', { category: 'uncategorized' }, 'uncategorized', [1]],
      ['pwn', { category: 'pwn' }, 'pwn', [3]],
      ['misc', { category: 'misc' }, 'misc', [2]],
    ]);
    expect(frames[0].fields.map((f) => [f.name, f.type])).toEqual([
      ['Time', FieldType.time],
      ['Value', FieldType.number],
    ]);
    expect(frames[0].fields[0].values).toEqual([TIME]);
  });

  it("gives each category's share of all the Running instances, every cluster's", () => {
    const frames = categoryCounts(
      answer(
        [
          { labels: { ...running('web-1', 'ctf', 'web-1', 'web', 0).labels, cluster: 'a' }, value: 3 },
          { labels: { ...running('web-1', 'ctf', 'web-1', 'web', 0).labels, cluster: 'b' }, value: 1 },
        ],
        []
      ),
      LABELS,
      true
    );
    expect(frames.map((f) => [f.fields[1].labels, f.fields[1].values[0]])).toEqual([
      [{ category: 'web', cluster: 'a' }, 0.75],
      [{ category: 'web', cluster: 'b' }, 0.25],
    ]);
    expect(categoryCounts(FIXTURE, LABELS, true).map((f) => f.fields[1].values[0])).toEqual([
      3 / 9,
      1 / 9,
      3 / 9,
      2 / 9,
    ]);
  });

  it('gives nothing when no instance is Running or the answer is empty', () => {
    expect(categoryCounts(answer([], []), LABELS, false)).toEqual([]);
    expect(categoryCounts([], LABELS, true)).toEqual([]);
  });

  it('as a transformation step', async () => {
    const frames = await firstValueFrom(
      of(FIXTURE).pipe(categoryCountsOperator(LABELS, false)({ interpolate: (v) => v }))
    );
    expect(frames.map((f) => f.name)).toEqual(['web', 'uncategorized', 'pwn', 'misc']);
  });
});

describe('requestsBy', () => {
  it('sums count x request per challenge id, a table per resource as two instant table queries give them', () => {
    const frames = requestsBy(FIXTURE, LABELS, 'challengeId');
    expect(frames.map((f) => f.refId)).toEqual(['cpu', 'memory']);
    expect(frames[0].fields.map((f) => f.name)).toEqual(['Time', 'challenge_id', 'Value #cpu']);
    // web-1: 2 x 0.5 in ctf + 1 x 1.5 in ctf-2 (its own definition). pwn-1 has no memory request, misc-1 none at all.
    expect(rows(frames[0])).toEqual([
      { challenge_id: 'web-1', 'Value #cpu': 2.5 },
      { challenge_id: 'rev-1', 'Value #cpu': 1 },
      { challenge_id: 'pwn-1', 'Value #cpu': 6 },
    ]);
    expect(rows(frames[1])).toEqual([
      { challenge_id: 'web-1', 'Value #memory': 612 },
      { challenge_id: 'rev-1', 'Value #memory': 512 },
    ]);
  });

  it('sums per category', () => {
    const frames = requestsBy(FIXTURE, LABELS, 'category');
    expect(rows(frames[0])).toEqual([
      { category: 'web', 'Value #cpu': 2.5 },
      { category: 'uncategorized', 'Value #cpu': 1 },
      { category: 'pwn', 'Value #cpu': 6 },
    ]);
    expect(rows(frames[1])).toEqual([
      { category: 'web', 'Value #memory': 612 },
      { category: 'uncategorized', 'Value #memory': 512 },
    ]);
  });

  it("takes each cluster's definition's requests, and a Cluster column when the answer has the label", () => {
    const inCluster = (sample: InstantSample, cluster: string) => ({
      ...sample,
      labels: { ...sample.labels, cluster },
    });
    const frames = requestsBy(
      answer(
        [
          inCluster(running('web-1', 'ctf', 'web-1', 'web', 2), 'a'),
          inCluster(running('web-1', 'ctf', 'web-1', 'web', 1), 'b'),
        ],
        [inCluster(request('ctf', 'web-1', 'cpu', 1), 'a'), inCluster(request('ctf', 'web-1', 'cpu', 4), 'b')]
      ),
      LABELS,
      'challengeId'
    );
    expect(frames).toHaveLength(1);
    expect(rows(frames[0])).toEqual([
      { challenge_id: 'web-1', cluster: 'a', 'Value #cpu': 2 },
      { challenge_id: 'web-1', cluster: 'b', 'Value #cpu': 4 },
    ]);
  });

  it('gives no table for a resource nothing requests, nothing without the requests answer', () => {
    expect(requestsBy(answer([running('web-1', 'ctf', 'web-1', 'web', 1)], []), LABELS, 'category')).toEqual([]);
    expect(requestsBy(FIXTURE.slice(0, 1), LABELS, 'category')).toEqual([]);
    expect(requestsBy([], LABELS, 'challengeId')).toEqual([]);
  });
});
