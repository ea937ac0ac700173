/**
 * Steps between the Lifecycle page's queries and its panels (custom operators: they run in the app, not in a
 * dashboard's JSON).
 */
import { FieldType, type CustomTransformOperator, type DataFrame, type Field } from '@grafana/data';
import { map } from 'rxjs';

const isFinite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const numberFields = (frame: DataFrame) => frame.fields.filter((f) => f.type === FieldType.number);

/**
 * histogram_quantile answers NaN for a window or range without observations (every bucket's rate or increase 0).
 * NaN is no figure: a chart given it draws nothing at all (not even the steps that have one), a table or stat
 * prints "NaN". Here it becomes no value:
 * - `gaps` (range series): each NaN is a null, a gap in the line, so the steps that have a figure are drawn;
 * - `rows` (instant answers): a row without any finite number goes.
 * A frame left without any finite number goes too, so a panel with none shows its no-data text.
 */
export function finiteOnly(frames: DataFrame[], mode: 'gaps' | 'rows'): DataFrame[] {
  return frames.flatMap((frame) => {
    const numbers = numberFields(frame);
    if (numbers.length === 0) {
      return [frame];
    }
    if (mode === 'gaps') {
      if (!numbers.some((f) => f.values.some(isFinite))) {
        return [];
      }
      const fields = frame.fields.map((f) =>
        f.type === FieldType.number ? { ...f, values: f.values.map((v) => (isFinite(v) ? v : null)) } : f
      );
      return [{ ...frame, fields }];
    }
    const keep = Array.from({ length: frame.length }, (_, i) => i).filter((i) =>
      numbers.some((f) => isFinite(f.values[i]))
    );
    if (keep.length === 0) {
      return [];
    }
    const fields = frame.fields.map((f) => ({ ...f, values: keep.map((i) => f.values[i]) }));
    return [{ ...frame, fields, length: keep.length }];
  });
}

export const finiteOnlyOperator =
  (mode: 'gaps' | 'rows'): CustomTransformOperator =>
  () =>
    map((frames: DataFrame[]) => finiteOnly(frames, mode));

const UNITS: Array<[string, number]> = [
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

/** A bucket bound in seconds as a person reads it: 60 → "≤ 1 m", 90 → "≤ 1.5 m", 21600 → "≤ 6 h". */
export function atMost(seconds: number): string {
  const [unit, size] = UNITS.find(([, s]) => seconds >= s) ?? UNITS[UNITS.length - 1];
  const n = Math.round((seconds / size) * 10) / 10;
  return `≤ ${n} ${unit}`;
}

/**
 * The lifetime distribution's rows (one per bucket bound, label `le` in seconds, as Prometheus answers them: in no
 * useful order, "1800" before "300" as strings) in ascending order of the bound, the bound shown as a duration
 * (atMost) in a string field named `name`. The +Inf bucket goes: every instance lived at most forever, its share
 * is always 100 % and says nothing.
 */
export function lifetimeBuckets(frames: DataFrame[], name: string, le = 'le'): DataFrame[] {
  return frames.map((frame) => {
    const bound = frame.fields.find((f) => f.name === le);
    if (!bound) {
      return frame;
    }
    const seconds = bound.values.map((v) => Number(v));
    const order = seconds
      .map((s, i) => [s, i] as const)
      .filter(([s]) => Number.isFinite(s))
      .sort(([a], [b]) => a - b)
      .map(([, i]) => i);
    const fields: Field[] = frame.fields.map((f) =>
      f === bound
        ? { name, type: FieldType.string, config: {}, values: order.map((i) => atMost(seconds[i])) }
        : { ...f, values: order.map((i) => f.values[i]) }
    );
    return { ...frame, fields, length: order.length };
  });
}

export const lifetimeBucketsOperator =
  (name: string): CustomTransformOperator =>
  () =>
    map((frames: DataFrame[]) => lifetimeBuckets(frames, name));
