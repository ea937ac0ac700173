import { FieldType, type CustomTransformOperator, type DataFrame, type Field } from '@grafana/data';
import { labelField } from './labelField';
import { map } from 'rxjs';
import { CATEGORY_LABEL, DEFINITION_LABEL, REQUEST_RESOURCES, RESOURCE_LABEL } from '../metric/contract';
import { DEFINITION_REQUESTS_REF_ID, RUNNING_INSTANCES_REF_ID } from '../queries/usage';

/**
 * The Usage page's question 2 from two answers: runningInstancesQuery's table (a row per challenge id, namespace,
 * definition, category and cluster with its number of Running instances) and definitionRequestsQuery's (a row per
 * namespace, definition, cluster and resource with one instance's request). What each panel shows is what its own
 * query gave before (src/queries/usage.ts): the bar gauge instancesByCategoryQuery's, the pie categoryShareQuery's,
 * the tables requestsByChallengeQuery's and requestsByCategoryQuery's per resource.
 */
export interface UsageLabels {
  challengeId: string;
  namespace: string;
  cluster: string;
}

interface Running {
  id: string;
  namespace: string;
  definition: string;
  category: string;
  cluster: string;
  count: number;
}

const frameOf = (frames: DataFrame[], refId: string) => frames.find((f) => f.refId === refId);

const timeOf = (frames: DataFrame[]) =>
  frames.find((f) => f.fields[0]?.type === FieldType.time)?.fields[0].values[0] ?? null;

/** The table's rows: each label's value ('' where absent) and the row's value. */
function rowsOf(frame: DataFrame | undefined, names: string[]): Array<{ labels: string[]; value: number }> {
  const value = frame?.fields.find((f) => f.type === FieldType.number);
  if (!frame || !value) {
    return [];
  }
  const fields = names.map((n) => labelField(frame, n));
  const rows: Array<{ labels: string[]; value: number }> = [];
  for (let i = 0; i < frame.length; i++) {
    rows.push({ labels: fields.map((f) => String(f?.values[i] ?? '')), value: Number(value.values[i]) });
  }
  return rows;
}

function runningOf(frames: DataFrame[], labels: UsageLabels): Running[] {
  const names = [labels.challengeId, labels.namespace, DEFINITION_LABEL, CATEGORY_LABEL, labels.cluster];
  return rowsOf(frameOf(frames, RUNNING_INSTANCES_REF_ID), names).map(
    ({ labels: [id, namespace, definition, category, cluster], value }) => ({
      id,
      namespace,
      definition,
      category,
      cluster,
      count: value,
    })
  );
}

const definitionKey = (namespace: string, definition: string, cluster: string, resource: string) =>
  JSON.stringify([namespace, definition, cluster, resource]);

/** One instance's request per definition and resource. */
function requestsOf(frames: DataFrame[], labels: UsageLabels): Map<string, number> {
  const names = [labels.namespace, DEFINITION_LABEL, labels.cluster, RESOURCE_LABEL];
  const requests = new Map<string, number>();
  for (const { labels: l, value } of rowsOf(frameOf(frames, DEFINITION_REQUESTS_REF_ID), names)) {
    requests.set(definitionKey(l[0], l[1], l[2], l[3]), value);
  }
  return requests;
}

/** Sums per (key label, cluster), in the order the keys first appear. */
function sumBy<T>(items: T[], keyOf: (t: T) => [string, string], valueOf: (t: T) => number | undefined) {
  const sums = new Map<string, { key: string; cluster: string; value: number }>();
  for (const item of items) {
    const value = valueOf(item);
    if (value === undefined) {
      continue;
    }
    const [key, cluster] = keyOf(item);
    const id = JSON.stringify([key, cluster]);
    const entry = sums.get(id);
    if (entry) {
      entry.value += value;
    } else {
      sums.set(id, { key, cluster, value });
    }
  }
  return [...sums.values()];
}

/**
 * Running instances per category (and cluster), or each category's share (0..1) of all the Running instances shown
 * (every cluster's: per cluster, the shares of all clusters add up to 1): a series per category as an instant query
 * named `{{category}}` gives it, its labels the category and the cluster where the answer has one.
 */
export function categoryCounts(frames: DataFrame[], labels: UsageLabels, share: boolean): DataFrame[] {
  const running = runningOf(frames, labels);
  const total = running.reduce((sum, r) => sum + r.count, 0);
  const time = timeOf(frames);
  return sumBy(
    running,
    (r) => [r.category, r.cluster],
    (r) => r.count
  ).map(({ key, cluster, value }) => ({
    refId: 'A',
    name: key,
    length: 1,
    fields: [
      { name: 'Time', type: FieldType.time, config: {}, values: [time] },
      {
        name: 'Value',
        type: FieldType.number,
        labels: { [CATEGORY_LABEL]: key, ...(cluster ? { [labels.cluster]: cluster } : {}) },
        config: { displayNameFromDS: key },
        values: [share ? value / total : value],
      },
    ],
  }));
}

/**
 * Requested CPU cores and memory bytes of the Running instances per challenge id or per category (and cluster): per instance its definition's request, none where the definition has no request for that resource.
 * A table per resource (refId the resource, value `Value #<resource>`), as two instant table queries give them.
 */
export function requestsBy(frames: DataFrame[], labels: UsageLabels, per: 'challengeId' | 'category'): DataFrame[] {
  const by = per === 'category' ? CATEGORY_LABEL : labels.challengeId;
  const running = runningOf(frames, labels);
  const requests = requestsOf(frames, labels);
  const hasCluster = frames.some((f) => f.refId === RUNNING_INSTANCES_REF_ID && labelField(f, labels.cluster));
  const time = timeOf(frames);
  const keyOf = (r: Running): [string, string] => [per === 'category' ? r.category : r.id, r.cluster];
  return REQUEST_RESOURCES.flatMap((resource): DataFrame[] => {
    const sums = sumBy(running, keyOf, (r) => {
      const request = requests.get(definitionKey(r.namespace, r.definition, r.cluster, resource));
      return request === undefined ? undefined : r.count * request;
    });
    if (sums.length === 0) {
      return [];
    }
    const fields: Field[] = [
      { name: 'Time', type: FieldType.time, config: {}, values: sums.map(() => time) },
      { name: by, type: FieldType.string, config: { filterable: true }, values: sums.map((e) => e.key) },
    ];
    if (hasCluster) {
      fields.push({
        name: labels.cluster,
        type: FieldType.string,
        config: { filterable: true },
        values: sums.map((e) => e.cluster),
      });
    }
    fields.push({ name: `Value #${resource}`, type: FieldType.number, config: {}, values: sums.map((e) => e.value) });
    return [{ refId: resource, length: sums.length, fields }];
  });
}

/** categoryCounts as a transformation step. */
export const categoryCountsOperator =
  (labels: UsageLabels, share: boolean): CustomTransformOperator =>
  () =>
    map((frames: DataFrame[]) => categoryCounts(frames, labels, share));

/** requestsBy as a transformation step. */
export const requestsByOperator =
  (labels: UsageLabels, per: 'challengeId' | 'category'): CustomTransformOperator =>
  () =>
    map((frames: DataFrame[]) => requestsBy(frames, labels, per));
