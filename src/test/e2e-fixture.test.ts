/**
 * Proves the e2e suite's data without Grafana: the committed OpenMetrics fixture is what its generator writes, the
 * real promtool backfills it (tests/fixtures/build-tsdb.sh, the script the e2e compose file runs), a real Prometheus
 * serves it, and the app's own queries, evaluated at the fixture's fixed time, give exactly the numbers the e2e
 * specs expect (tests/fixtures/expected.json); the matrix goes on through the app's transforms to the exact cells.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { instantQuery } from '@hexactf/testing/prom-api';
import { removeTempDir, tempDir } from '@hexactf/testing/processes';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';

import { ChallengeState, stateInfo, STATES } from '../metric/contract';
import { NO_FILTERS, clusterLabelOf } from '../queries/common';
import { challengeStateCountQuery, stateCountQuery } from '../queries/overview';
import { errorInstancesQuery, stuckDeletionsQuery } from '../queries/triage';
import {
  DEFINITION_REQUESTS_REF_ID,
  RUNNING_INSTANCES_REF_ID,
  categoryShareQuery,
  definitionRequestsQuery,
  instancesByCategoryQuery,
  peakConcurrentByUserQuery,
  requestsByCategoryQuery,
  requestsByChallengeQuery,
  runningInstancesQuery,
} from '../queries/usage';
import { categoryCounts, requestsBy } from '../transforms/usageCounts';
import { MATRIX_COLUMN_LABEL, matrixPivotLabels, matrixQuery, userInstancesQuery } from '../queries/users';
import { DEFAULT_SETTINGS } from '../settings/settings';
import {
  applyTransformations,
  matrixRowField,
  matrixTransformations,
  singleNamespaceColumns,
} from '../transforms/matrix';
import { prometheusInstantTable, type InstantSample } from './prometheus-table';
import { registerStandardTransformers } from './register-transformers';

jest.setTimeout(60_000);

const FIXTURES = resolve(__dirname, '../../tests/fixtures');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));
const AT_S = Date.parse(expected.timeRange.to) / 1000;
const { labels } = DEFAULT_SETTINGS;
const CATEGORY = 'category';

let workDir: string;
let prometheus: Prometheus | undefined;

/** An instant query at the fixture's fixed time ($__interval: the fixture's 60 s scrape interval, as Grafana fills it). */
async function query(promql: string): Promise<InstantSample[]> {
  const data = await instantQuery(prometheus!.url, promql.replaceAll('$__interval', '60s'), AT_S);
  expect(data.resultType).toBe('vector');
  return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({
    labels: r.metric,
    value: Number(r.value[1]),
  }));
}

const scalarOf = async (promql: string) => {
  const result = await query(promql);
  expect(result).toHaveLength(1);
  return result[0].value;
};

const pairs = (samples: InstantSample[]) =>
  samples
    .map((s) => ({ username: s.labels[labels.username], challenge_id: s.labels[labels.challengeId] }))
    .sort((a, b) => `${a.username}/${a.challenge_id}`.localeCompare(`${b.username}/${b.challenge_id}`));

beforeAll(async () => {
  registerStandardTransformers();
  workDir = tempDir('hexactf-e2e-fixture-');
  const tsdb = join(workDir, 'tsdb');
  execFileSync('sh', [join(FIXTURES, 'build-tsdb.sh'), tsdb], { stdio: 'pipe' });
  // The fixture's samples lie at a fixed time in the past: a retention long enough to keep them.
  prometheus = await startPrometheus({
    config: readFileSync(join(FIXTURES, 'prometheus.yml'), 'utf8'),
    dataDir: tsdb,
    retention: '100y',
    startTimeoutMs: 30_000,
  });
});

afterAll(async () => {
  await prometheus?.stop();
  if (workDir) {
    removeTempDir(workDir);
  }
});

describe('e2e fixture', () => {
  it('is exactly what generate-openmetrics.mts writes', () => {
    const regenerated = join(workDir, 'regenerated.om.txt');
    execFileSync(process.execPath, [join(FIXTURES, 'generate-openmetrics.mts'), regenerated], { stdio: 'pipe' });
    expect(readFileSync(regenerated, 'utf8')).toBe(readFileSync(join(FIXTURES, 'challenges.om.txt'), 'utf8'));
  });

  it('gives the Overview stat values (2h window) and the window boundary (6h)', async () => {
    for (const state of STATES) {
      const count = await scalarOf(stateCountQuery(DEFAULT_SETTINGS, state.value, NO_FILTERS, expected.window));
      expect({ [state.name]: count }).toEqual({ [state.name]: expected.stateCounts[state.name] });
    }
    for (const [window, counts] of Object.entries<Record<string, number>>(expected.stateCountsByWindow)) {
      for (const state of STATES) {
        const count = await scalarOf(stateCountQuery(DEFAULT_SETTINGS, state.value, NO_FILTERS, window));
        expect({ [`${state.name} ${window}`]: count }).toEqual({ [`${state.name} ${window}`]: counts[state.name] });
      }
    }
  });

  it('gives the per-challenge Running and Error counts', async () => {
    for (const name of ['Running', 'Error'] as const) {
      const state = name === 'Running' ? ChallengeState.Running : ChallengeState.Error;
      const result = await query(challengeStateCountQuery(DEFAULT_SETTINGS, state, NO_FILTERS, expected.window));
      const byChallenge = Object.fromEntries(result.map((s) => [s.labels[labels.challengeId], s.value]));
      const want = Object.fromEntries(
        Object.entries<Record<string, number>>(expected.perChallenge).map(([id, counts]) => [id, counts[name]])
      );
      expect(byChallenge).toEqual(want);
    }
  });

  it('gives the exact users x challenges matrix through the app transforms', async () => {
    const samples = await query(matrixQuery(DEFAULT_SETTINGS, NO_FILTERS, expected.window));
    const frame = prometheusInstantTable(samples, { timeMs: AT_S * 1000 });
    const pivot = matrixPivotLabels(labels);
    // The page's first step: columns carry the namespace only when the answer holds several.
    const columnsNamed = singleNamespaceColumns([frame], {
      challengeId: labels.challengeId,
      namespace: labels.namespace,
      column: MATRIX_COLUMN_LABEL,
    });
    const [matrix] = await applyTransformations(columnsNamed, matrixTransformations(pivot));
    const [rowField, ...columns] = matrix.fields;
    expect(rowField.name).toBe(matrixRowField(pivot));
    expect(columns.map((c) => c.name).sort()).toEqual(expected.challenges);

    const cells: Record<string, Record<string, string>> = {};
    rowField.values.forEach((user: string, row: number) => {
      cells[user] = {};
      for (const column of columns) {
        const value = column.values[row];
        if (value !== null) {
          cells[user][column.name] = stateInfo(value).name;
        }
      }
    });
    expect(cells).toEqual(expected.matrix);
  });

  it('gives the Triage lists: instances in Error, deletions that have not finished', async () => {
    expect(pairs(await query(errorInstancesQuery(DEFAULT_SETTINGS)))).toEqual(expected.errorInstances);
    expect(pairs(await query(stuckDeletionsQuery(DEFAULT_SETTINGS)))).toEqual(expected.stuckDeletions);
  });

  it('gives the Usage answers: peak Running per user over the range, instances and requests per category', async () => {
    // Grafana's $__range for the fixed time range.
    const rangeS = (Date.parse(expected.timeRange.to) - Date.parse(expected.timeRange.from)) / 1000;
    const peaks = await query(peakConcurrentByUserQuery(DEFAULT_SETTINGS, NO_FILTERS, `${rangeS}s`));
    expect(Object.fromEntries(peaks.map((s) => [s.labels[labels.username], s.value]))).toEqual(
      expected.usage.peakRunningByUser
    );
    const byCategory = async (promql: string) =>
      Object.fromEntries((await query(promql)).map((s) => [s.labels.category, s.value]));
    expect(await byCategory(instancesByCategoryQuery(DEFAULT_SETTINGS, NO_FILTERS))).toEqual(
      expected.usage.runningPerCategory
    );
    for (const resource of ['cpu', 'memory'] as const) {
      const want = Object.fromEntries(
        Object.entries<Record<string, number>>(expected.usage.requestsPerCategory).map(([c, r]) => [c, r[resource]])
      );
      expect(await byCategory(requestsByCategoryQuery(DEFAULT_SETTINGS, resource, NO_FILTERS))).toEqual(want);
    }
  });

  it("derives the Usage page's question 2 from its two queries through the app's transform, as the six queries give it", async () => {
    const s = DEFAULT_SETTINGS;
    const table = async (refId: string, promql: string) =>
      prometheusInstantTable(await query(promql), { timeMs: AT_S * 1000, refId, refIdsInResponse: 2 });
    const frames = [
      await table(RUNNING_INSTANCES_REF_ID, runningInstancesQuery(s)),
      await table(DEFINITION_REQUESTS_REF_ID, definitionRequestsQuery(s)),
    ];
    const usageLabels = { challengeId: labels.challengeId, namespace: labels.namespace, cluster: clusterLabelOf(s) };
    const series = (derived: typeof frames) =>
      Object.fromEntries(derived.map((f) => [f.fields[1].labels![CATEGORY], f.fields[1].values[0]]));
    const rows = (derived: typeof frames, resource: string, key: string) => {
      const frame = derived.find((f) => f.refId === resource);
      const keys = frame?.fields.find((f) => f.name === key)?.values ?? [];
      const values = frame?.fields.find((f) => f.name === `Value #${resource}`)?.values ?? [];
      return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
    };
    const answer = async (promql: string, key: string) =>
      Object.fromEntries((await query(promql)).map((sample) => [sample.labels[key], sample.value]));
    expect(series(categoryCounts(frames, usageLabels, false))).toEqual(expected.usage.runningPerCategory);
    expect(series(categoryCounts(frames, usageLabels, false))).toEqual(
      await answer(instancesByCategoryQuery(s), CATEGORY)
    );
    expect(series(categoryCounts(frames, usageLabels, true))).toEqual(await answer(categoryShareQuery(s), CATEGORY));
    for (const resource of ['cpu', 'memory'] as const) {
      const perCategory = rows(requestsBy(frames, usageLabels, 'category'), resource, CATEGORY);
      expect(perCategory).toEqual(await answer(requestsByCategoryQuery(s, resource), CATEGORY));
      expect(perCategory).toEqual(
        Object.fromEntries(
          Object.entries<Record<string, number>>(expected.usage.requestsPerCategory).map(([c, r]) => [c, r[resource]])
        )
      );
      expect(rows(requestsBy(frames, usageLabels, 'challengeId'), resource, labels.challengeId)).toEqual(
        await answer(requestsByChallengeQuery(s, resource), labels.challengeId)
      );
    }
  });

  it('is wired into tests/docker-compose.e2e.yaml: backfill with build-tsdb.sh, then serve that TSDB', () => {
    const compose = (...args: string[]) =>
      execFileSync('docker-compose', ['-f', join(FIXTURES, '../docker-compose.e2e.yaml'), ...args], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    expect(compose('config', '--services').trim().split('\n').sort()).toEqual([
      'grafana',
      'prometheus',
      'prometheus-backfill',
    ]);
    const config = compose('config');
    // Both Prometheus services mount this folder and share the TSDB volume; the backfill runs the script above.
    expect(config.split(`${FIXTURES}:/fixtures:ro`)).toHaveLength(3);
    expect(config.split('e2e-tsdb:/prometheus:rw')).toHaveLength(3);
    expect(config).toContain('- /fixtures/build-tsdb.sh\n    - /prometheus\n');
    expect(config).toContain('--config.file=/fixtures/prometheus.yml');
    expect(config).toContain('condition: service_completed_successfully');
  });

  it("finds the odd username's instances, and only them, through the escaped user filter", async () => {
    const oddUser = "o'brien.*+";
    const result = await query(userInstancesQuery(DEFAULT_SETTINGS, oddUser, NO_FILTERS, expected.window));
    expect(pairs(result)).toEqual(
      Object.keys(expected.matrix[oddUser]).map((challenge_id) => ({ username: oddUser, challenge_id }))
    );
  });
});
