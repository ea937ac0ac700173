import { createTheme, getDisplayProcessor, MappingType, type DataFrame } from '@grafana/data';

import { registerStandardTransformers } from '../test/register-transformers';
import { prometheusInstantTable, type InstantSample } from '../test/prometheus-table';
import { applyTransformations, matrixRowField, matrixTransformations, singleNamespaceColumns } from './matrix';

beforeAll(() => registerStandardTransformers());

const AT = Date.UTC(2026, 0, 10, 12, 0, 0);
const DEFAULT_LABELS = { challengeId: 'challenge_id', username: 'username' };

/** A series as the operator exports it, with the target labels a scrape adds. */
function series(challengeId: string, username: string, value: number, namespace = 'hexactf', idLabel = 'challenge_id') {
  return {
    labels: {
      // Prometheus 2.x keeps the metric name on the HexaCTF write-up's raw last_over_time: one more column to drop.
      __name__: 'challenge_resource_status',
      [idLabel]: challengeId,
      challenge_name: `chall-${challengeId}-${username.length}`,
      username,
      namespace,
      instance: '10.0.0.7:8080',
      job: 'challenge-operator',
    },
    value,
  } satisfies InstantSample;
}

/** The matrix as plain data: header row, then one row per user (null = empty cell). */
function asRows(frames: DataFrame[]): Array<Array<string | number | null>> {
  expect(frames).toHaveLength(1);
  const [frame] = frames;
  const header = frame.fields.map((field) => field.name);
  const rows = Array.from({ length: frame.length }, (_, row) => frame.fields.map((field) => field.values[row]));
  return [header, ...rows];
}

async function matrixOf(samples: InstantSample[], labels = DEFAULT_LABELS) {
  const frame = prometheusInstantTable(samples, { timeMs: AT });
  return asRows(await applyTransformations([frame], matrixTransformations(labels)));
}

describe('matrixTransformations', () => {
  it("builds the HexaCTF write-up's pipeline: organize -> group by (last) -> grouping to matrix", () => {
    expect(matrixTransformations(DEFAULT_LABELS).map((t) => t.id)).toEqual(['organize', 'groupBy', 'groupingToMatrix']);
  });

  it('pivots users x challenges, with empty cells for missing pairs', async () => {
    const rows = await matrixOf([
      series('101', 'alice', 1),
      series('102', 'alice', 3),
      series('101', 'bob', 0),
      series('103', 'carol', 2),
    ]);
    expect(rows).toEqual([
      ['username\\challenge_id', '101', '102', '103'],
      ['alice', 1, 3, null],
      ['bob', 0, null, null],
      ['carol', null, null, 2],
    ]);
    // The pages address the row column by this name (its display name and user links).
    expect(rows[0][0]).toBe(matrixRowField(DEFAULT_LABELS));
  });

  it('works against the original operator, whose label was spelled challeng_id', async () => {
    const legacy = [series('7', 'dave', 1, 'hexactf', 'challeng_id'), series('8', 'erin', 3, 'hexactf', 'challeng_id')];
    expect(await matrixOf(legacy, { challengeId: 'challeng_id', username: 'username' })).toEqual([
      ['username\\challeng_id', '7', '8'],
      ['dave', 1, null],
      ['erin', null, 3],
    ]);
    // With the default mapping, the legacy label is not there: nothing to pivot, the table passes through.
    const unmapped = await applyTransformations(
      [prometheusInstantTable(legacy, { timeMs: AT })],
      matrixTransformations(DEFAULT_LABELS)
    );
    expect(unmapped[0].fields.map((f) => f.name)).not.toContain('username\\challenge_id');
  });

  it('collapses the same (user, challenge) across namespaces to the last row, even when that value is 0', async () => {
    const rows = await matrixOf([
      series('101', 'alice', 3, 'ns-a'),
      series('101', 'bob', 1, 'ns-a'),
      series('101', 'alice', 2, 'ns-b'),
      series('101', 'alice', 0, 'ns-c'),
    ]);
    expect(rows).toEqual([
      ['username\\challenge_id', '101'],
      ['alice', 0],
      ['bob', 1],
    ]);
  });

  it('keeps odd usernames and challenge ids intact', async () => {
    const odd = [`o'brien`, 'back\\slash', 'a,b', 'dots.and*stars+', '한글', ' spaced ', '42', 'Value'];
    const rows = await matrixOf(odd.map((user, i) => series(i % 2 ? 'web-1' : '0', user, i % 4)));
    expect(rows[0]).toEqual(['username\\challenge_id', '0', 'web-1']);
    expect(rows.slice(1).map((row) => row[0])).toEqual(odd);
    expect(rows.slice(1).map((row) => row.slice(1))).toEqual(
      odd.map((_, i) => (i % 2 ? [null, i % 4] : [i % 4, null]))
    );
  });

  it('reads `Value #<refId>` when the panel has several queries', async () => {
    const frame = prometheusInstantTable([series('1', 'alice', 1), series('2', 'bob', 3)], {
      timeMs: AT,
      refId: 'B',
      refIdsInResponse: 2,
    });
    expect(frame.fields.at(-1)?.name).toBe('Value #B');
    const result = await applyTransformations([frame], matrixTransformations(DEFAULT_LABELS, 'Value #B'));
    expect(asRows(result)).toEqual([
      ['username\\challenge_id', '1', '2'],
      ['alice', 1, null],
      ['bob', null, 3],
    ]);
  });

  it('renders a missing pair as an empty cell, never as a mapped state', async () => {
    const [frame] = await applyTransformations(
      [prometheusInstantTable([series('1', 'alice', 0), series('2', 'bob', 1)], { timeMs: AT })],
      matrixTransformations(DEFAULT_LABELS)
    );
    const column = frame.fields[1];
    column.config = {
      ...column.config,
      mappings: [{ type: MappingType.ValueToText, options: { '0': { text: 'Pending' }, '1': { text: 'Running' } } }],
    };
    const display = getDisplayProcessor({ field: column, theme: createTheme() });
    expect(column.values).toEqual([0, null]);
    expect(display(column.values[0]).text).toBe('Pending');
    expect(display(column.values[1]).text).toBe('');
  });

  it('yields no frame (the panel shows its no-data state) when Prometheus returns no series', async () => {
    const empty = prometheusInstantTable([], { timeMs: AT });
    expect(await applyTransformations([empty], matrixTransformations(DEFAULT_LABELS))).toEqual([]);
  });
});

describe('singleNamespaceColumns: the columns from what the answer holds', () => {
  const COLUMN = 'hexactf_matrix_column';
  const columnLabels = { challengeId: 'challenge_id', namespace: 'namespace', column: COLUMN };
  const pivot = { challengeId: COLUMN, username: 'username' };
  /** A sample of the matrix query: the column label `<id> @ <namespace>` as the query writes it. */
  const cell = (challengeId: string, username: string, value: number, namespace: string): InstantSample => {
    const s = series(challengeId, username, value, namespace);
    return { ...s, labels: { ...s.labels, [COLUMN]: `${challengeId} @ ${namespace}` } };
  };
  async function pivoted(samples: InstantSample[]) {
    const frame = prometheusInstantTable(samples, { timeMs: AT });
    const columns = singleNamespaceColumns([frame], columnLabels);
    return asRows(await applyTransformations(columns, matrixTransformations(pivot)));
  }

  it('keeps one cell per namespace when the answer holds two (alice in ctf Running, in ctf-2 Error)', async () => {
    const rows = await pivoted([cell('web-1', 'alice', 1, 'ctf'), cell('web-1', 'alice', 3, 'ctf-2')]);
    expect(rows).toEqual([
      [`username\\${COLUMN}`, 'web-1 @ ctf', 'web-1 @ ctf-2'],
      ['alice', 1, 3],
    ]);
  });

  it('names a column by the challenge id alone when the answer holds one namespace', async () => {
    const rows = await pivoted([cell('web-1', 'alice', 1, 'ctf'), cell('pwn-1', 'bob', 3, 'ctf')]);
    expect(rows).toEqual([
      [`username\\${COLUMN}`, 'web-1', 'pwn-1'],
      ['alice', 1, null],
      ['bob', null, 3],
    ]);
  });

  it('leaves an empty answer alone', () => {
    expect(singleNamespaceColumns([], columnLabels)).toEqual([]);
  });
});
