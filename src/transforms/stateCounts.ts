import { FieldType, type CustomTransformOperator, type DataFrame, type Field } from '@grafana/data';
import { labelField } from './labelField';
import { map } from 'rxjs';
import { STATE_CODE_LABEL } from '../queries/overview';

/**
 * The Overview's stats and per-challenge counts from one answer: challengeStateCountsQuery's table (a row per
 * challenge id, cluster and state code with its number of instances, plus an unlabelled 0 while the operator
 * reports). What each panel shows is what its own query gave before (src/queries/overview.ts): the stats
 * stateCountQuery's, the bars challengeStateCountQuery's per state.
 */
export interface StateCountLabels {
  challengeId: string;
  cluster: string;
}

interface Row {
  id: string;
  cluster: string;
  /** The state code's text, '' for the operator's reporting 0. */
  state: string;
  value: number;
}

function rowsOf(frames: DataFrame[], labels: StateCountLabels): Row[] {
  const rows: Row[] = [];
  for (const frame of frames) {
    const value = frame.fields.find((f) => f.type === FieldType.number);
    if (!value) {
      continue;
    }
    const id = labelField(frame, labels.challengeId);
    const cluster = labelField(frame, labels.cluster);
    const state = labelField(frame, STATE_CODE_LABEL);
    for (let i = 0; i < frame.length; i++) {
      rows.push({
        id: String(id?.values[i] ?? ''),
        cluster: String(cluster?.values[i] ?? ''),
        state: String(state?.values[i] ?? ''),
        value: Number(value.values[i]),
      });
    }
  }
  return rows;
}

/**
 * The stat of one state: its number of instances (stateCountQuery's value), 0 when none is in it while the operator
 * reports, no frame (the stat's "No data") when nothing is known.
 */
export function stateStat(frames: DataFrame[], labels: StateCountLabels, state: number, refId: string): DataFrame[] {
  const rows = rowsOf(frames, labels);
  const inState = rows.filter((r) => r.state === String(state));
  if (inState.length === 0 && !rows.some((r) => r.state === '')) {
    return [];
  }
  const count = inState.reduce((sum, r) => sum + r.value, 0);
  const time = frames.find((f) => f.fields[0]?.type === FieldType.time)?.fields[0].values[0];
  return [
    {
      refId,
      length: 1,
      fields: [
        { name: 'Time', type: FieldType.time, config: {}, values: [time ?? null] },
        { name: 'Value', type: FieldType.number, config: {}, values: [count] },
      ],
    },
  ];
}

/**
 * One table: a row per challenge id (and cluster, when the answer has the label) with any instance, in the answer's
 * order, and a `Value #<refId>` count per state, 0 where none is in it (challengeStateCountQuery's per state).
 */
export function perChallengeStates(
  frames: DataFrame[],
  labels: StateCountLabels,
  states: Array<{ value: number; refId: string }>
): DataFrame[] {
  const rows = rowsOf(frames, labels).filter((r) => r.state !== '');
  const hasCluster = frames.some((f) => labelField(f, labels.cluster));
  const keys: string[] = [];
  const byKey = new Map<string, { id: string; cluster: string; counts: Map<string, number> }>();
  for (const r of rows) {
    const key = JSON.stringify([r.id, r.cluster]);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { id: r.id, cluster: r.cluster, counts: new Map() };
      byKey.set(key, entry);
      keys.push(key);
    }
    entry.counts.set(r.state, (entry.counts.get(r.state) ?? 0) + r.value);
  }
  const entries = keys.map((k) => byKey.get(k)!);
  const fields: Field[] = [
    {
      name: labels.challengeId,
      type: FieldType.string,
      config: { filterable: true },
      values: entries.map((e) => e.id),
    },
  ];
  if (hasCluster) {
    fields.push({
      name: labels.cluster,
      type: FieldType.string,
      config: { filterable: true },
      values: entries.map((e) => e.cluster),
    });
  }
  for (const state of states) {
    fields.push({
      name: `Value #${state.refId}`,
      type: FieldType.number,
      config: {},
      values: entries.map((e) => e.counts.get(String(state.value)) ?? 0),
    });
  }
  return entries.length === 0 ? [] : [{ refId: states[0]?.refId, length: entries.length, fields }];
}

/** stateStat as a transformation step. */
export const stateStatOperator =
  (labels: StateCountLabels, state: number, refId: string): CustomTransformOperator =>
  () =>
    map((frames: DataFrame[]) => stateStat(frames, labels, state, refId));

/** perChallengeStates as a transformation step. */
export const perChallengeStatesOperator =
  (labels: StateCountLabels, states: Array<{ value: number; refId: string }>): CustomTransformOperator =>
  () =>
    map((frames: DataFrame[]) => perChallengeStates(frames, labels, states));
