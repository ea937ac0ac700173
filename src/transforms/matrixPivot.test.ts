// The one-pass pivot the Users x Challenges page runs: the same frame as the standard steps a dashboard holds.
import type { DataFrame } from '@grafana/data';
import { lastValueFrom, of } from 'rxjs';

import { registerStandardTransformers } from '../test/register-transformers';
import { prometheusInstantTable, type InstantSample } from '../test/prometheus-table';
import {
  applyTransformations,
  matrixPivotOperator,
  matrixRowHeader,
  matrixTransformations,
  pivotMatrix,
  singleNamespaceColumns,
} from './matrix';

beforeAll(() => registerStandardTransformers());

const AT = Date.UTC(2026, 0, 10, 12, 0, 0);
const LABELS = { challengeId: 'hexactf_matrix_column', username: 'username' };
const HEADER = 'User';
const STANDARD = [...matrixTransformations(LABELS), matrixRowHeader(LABELS, HEADER)];

function sample(challenge: string, username: string, value: number, namespace = 'hexactf'): InstantSample {
  return {
    labels: {
      challenge_id: challenge,
      challenge_name: `chall-${challenge}`,
      username,
      namespace,
      hexactf_matrix_column: `${challenge} @ ${namespace}`,
      instance: '10.0.0.7:8080',
      job: 'challenge-operator',
    },
    value,
  };
}

const answer = (samples: InstantSample[]) => [prometheusInstantTable(samples, { timeMs: AT })];
const columns = (frames: DataFrame[]) =>
  singleNamespaceColumns(frames, { challengeId: 'challenge_id', namespace: 'namespace', column: LABELS.challengeId });
const viaOperator = (frames: DataFrame[]) =>
  lastValueFrom(of(frames).pipe(matrixPivotOperator(LABELS, HEADER)({ interpolate: (v: string) => v })));

describe('pivotMatrix: the standard steps in one pass', () => {
  const samples = [
    sample('web-1', 'alice', 1),
    sample('pwn-2', 'bob', 3),
    sample('web-1', 'o"b', 0),
    sample('crypto-3', 'alice', 2),
    // The same pair again (an instance over two series): the last one is the cell, as group by's "last".
    sample('web-1', 'alice', 3),
    sample('pwn-2', '2', 0),
    sample('crypto-3', 'bob', 1),
  ];

  it.each([
    ['one namespace (columns by challenge id)', (s: InstantSample[]) => columns(answer(s))],
    [
      'two namespaces (columns by challenge and namespace)',
      (s: InstantSample[]) => columns(answer([...s, sample('web-1', 'eve', 1, 'other')])),
    ],
  ])('gives the frame the standard steps give: %s', async (_, frames) => {
    const input = frames(samples);
    const pivoted = pivotMatrix(input, LABELS, HEADER);
    expect(pivoted).toBeDefined();
    expect(pivoted).toEqual(await applyTransformations(input, STANDARD));
    expect(await viaOperator(input)).toEqual(pivoted);
  });

  it('keeps rows and columns in the order they first appear, with null where a pair has no value', () => {
    const [frame] = pivotMatrix(columns(answer(samples)), LABELS, HEADER)!;
    expect(frame.fields.map((f) => f.name)).toEqual(['username\\hexactf_matrix_column', 'web-1', 'pwn-2', 'crypto-3']);
    expect(frame.fields[0].values).toEqual(['alice', 'bob', 'o"b', '2']);
    expect(frame.fields[0].config.displayName).toBe(HEADER);
    expect(frame.fields.slice(1).map((f) => f.values)).toEqual([
      [3, null, 0, null],
      [null, 3, null, 0],
      [2, 1, null, null],
    ]);
  });

  it('leaves any other shape to the standard steps: no series, several frames, no value field', async () => {
    const empty = answer([]);
    expect(pivotMatrix(empty, LABELS, HEADER)).toBeUndefined();
    expect(await viaOperator(empty)).toEqual(await applyTransformations(empty, STANDARD));
    const two = [...answer(samples), ...answer(samples)];
    expect(pivotMatrix(two, LABELS, HEADER)).toBeUndefined();
    expect(await viaOperator(two)).toEqual(await applyTransformations(two, STANDARD));
    expect(pivotMatrix(answer(samples), LABELS, HEADER, 'Value #B')).toBeUndefined();
  });

  it('stands for the standard steps, which a dashboard built from the panel holds', () => {
    expect(matrixPivotOperator(LABELS, HEADER).standardSteps).toEqual(STANDARD);
  });
});
