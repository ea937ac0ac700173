import { FieldType, type DataFrame } from '@grafana/data';
import { atMost, finiteOnly, lifetimeBuckets } from './lifecycle';

const frame = (values: number[], extra: Partial<DataFrame> = {}): DataFrame => ({
  refId: 'A',
  length: values.length,
  fields: [
    { name: 'Time', type: FieldType.time, config: {}, values: values.map((_, i) => i) },
    { name: 'Value', type: FieldType.number, config: {}, values },
  ],
  ...extra,
});

describe('atMost', () => {
  it('reads a bound in seconds as the largest whole unit', () => {
    expect([1, 30, 60, 90, 300, 1800, 3600, 7200, 21600, 86400, 172800].map(atMost)).toEqual([
      '≤ 1 s',
      '≤ 30 s',
      '≤ 1 m',
      '≤ 1.5 m',
      '≤ 5 m',
      '≤ 30 m',
      '≤ 1 h',
      '≤ 2 h',
      '≤ 6 h',
      '≤ 1 d',
      '≤ 2 d',
    ]);
  });
});

describe('finiteOnly', () => {
  it('turns NaN into gaps in range series and drops a series without any figure', () => {
    const [kept, ...rest] = finiteOnly([frame([NaN, 2, NaN]), frame([NaN, NaN])], 'gaps');
    expect(rest).toEqual([]);
    expect(kept.fields[1].values).toEqual([null, 2, null]);
    expect(kept.length).toBe(3);
  });

  it('drops the rows without a figure from instant answers, and the frames left empty', () => {
    const out = finiteOnly([frame([NaN, 5, Infinity]), frame([NaN])], 'rows');
    expect(out).toHaveLength(1);
    expect(out[0].fields.map((f) => f.values)).toEqual([[1], [5]]);
    expect(out[0].length).toBe(1);
  });
});

describe('lifetimeBuckets', () => {
  it('orders the buckets by their bound as numbers, names them as durations and leaves out +Inf', () => {
    const table: DataFrame = {
      refId: 'A',
      length: 4,
      fields: [
        { name: 'le', type: FieldType.string, config: {}, values: ['+Inf', '1800', '300', '60'] },
        { name: 'Value', type: FieldType.number, config: {}, values: [1, 0.9, 0.5, 0.2] },
      ],
    };
    const [out] = lifetimeBuckets([table], 'Lifetime');
    expect(out.fields.map((f) => [f.name, f.values])).toEqual([
      ['Lifetime', ['≤ 1 m', '≤ 5 m', '≤ 30 m']],
      ['Value', [0.2, 0.5, 0.9]],
    ]);
    expect(out.length).toBe(3);
  });
});
