/**
 * @jest-environment jsdom
 *
 * The path test: what the operator exports is what the app reads. tests/path/cluster.ts (a child process, Node 24)
 * runs a real kube-apiserver + etcd, the operator and, for Prometheus 2.x and 3.x each, two real Prometheus servers
 * scraping it every second (the second renames challenge_id to challeng_id, like the seed's original operator),
 * plays a small CTF and reports
 * what the cluster holds. Here every query the app ships is built by the app's own query module (src/queries), run
 * through Prometheus' HTTP API as its panel runs it (instant or range), turned into frames as Grafana's Prometheus
 * datasource does (grafana-frames.ts), passed through the app's own transforms (src/transforms/matrix.ts), and the
 * answers must equal what the apiserver holds: for the default settings, with the chart's recording rules loaded and
 * used, and for the legacy label setting.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { DataFrame } from '@grafana/data';
import { instantQuery, promApi, rangeQuery } from '@hexactf/testing/prom-api';
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';

import { ChallengeState, LEGACY_CHALLENGE_ID_LABEL, STATES } from '../../src/metric/contract';
import {
  NO_FILTERS,
  categoryShareQuery,
  challengeStateCountQuery,
  errorInstancesQuery,
  instancesByCategoryQuery,
  labelValuesVariableQuery,
  matrixQuery,
  peakConcurrentByUserQuery,
  peakDistributionQuery,
  PEAK_LABEL,
  requestsByCategoryQuery,
  requestsByChallengeQuery,
  stateCountOverTimeQuery,
  stateCountQuery,
  STATE_COUNT_RULE,
  stuckDeletionsQuery,
  topUsersQuery,
  userInstancesQuery,
  USER_RUNNING_RULE,
} from '../../src/queries/queries';
import { FILTER_ROLES } from '../../src/settings/labelRoles';
import { DEFAULT_SETTINGS, resolveSettings, type ResolvedSettings } from '../../src/settings/settings';
import { registerStandardTransformers } from '../../src/test/register-transformers';
import { applyTransformations, matrixTransformations } from '../../src/transforms/matrix';
import type { TruthRow } from './cluster';
import { seriesFrames, statValues, tableFrame, valuesBy } from './grafana-frames';

interface Cluster {
  /** Per Prometheus version (PROMETHEUS_BUILDS' names): the server with the chart's rules and the legacy one. */
  prometheus: Record<string, { default: string; legacy: string }>;
  truth: TruthRow[];
  evalTime: number;
  startTime: number;
  peakRunning: Record<string, number>;
  categories: Record<string, string>;
  requests: Record<string, { cpu: number; memory: number }>;
}

const CLUSTER = resolve(__dirname, 'cluster.ts');
const WINDOW = '5m'; // covers the whole CTF (well under a minute)
const SCRAPE_INTERVAL_S = 1;
/** Grafana's $__rate_interval: max($__interval + scrape interval, 4 x scrape interval); $__interval = step = 1 s. */
const RATE_INTERVAL = `${4 * SCRAPE_INTERVAL_S}s`;
const round = (v: number) => Math.round(v * 1e6) / 1e6;
const roundAll = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));
const count = <T>(xs: T[], pred: (x: T) => boolean) => xs.filter(pred).length;

let child: ChildProcess | undefined;
let cluster: Cluster;
let childLog = '';

beforeAll(async () => {
  registerStandardTransformers();
  child = spawn(process.execPath, ['--no-warnings', CLUSTER], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr!.on('data', (b) => (childLog = (childLog + b).slice(-20_000)));
  cluster = await new Promise<Cluster>((res, rej) => {
    let out = '';
    child!.stdout!.on('data', (b) => {
      out += b;
      const line = out.split('\n').find((l) => l.startsWith('PATH-READY '));
      if (line) {
        res(JSON.parse(line.slice('PATH-READY '.length)));
      }
    });
    child!.once('exit', (code) => rej(new Error(`cluster exited (${code}) before it was ready:\n${childLog}`)));
  });
}, 150_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) {
    return;
  }
  const exited = new Promise((res) => child!.once('exit', res));
  child.stdin!.end(); // the cluster tears everything down when its stdin closes
  const killer = setTimeout(() => child!.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(killer);
}, 40_000);

/** The dashboard variables, as scenes interpolate them for this run's time range. */
function interpolate(query: string): string {
  const rangeS = Math.ceil(cluster.evalTime - cluster.startTime) + 60;
  return query.replaceAll('$window', WINDOW).replaceAll('$__range', `${rangeS}s`).replaceAll('$__rate_interval', RATE_INTERVAL);
}

type Matrix = Record<string, Record<string, number | null>>;

/** The grouping-to-matrix frame as user -> challenge -> cell. */
function matrixCells(frames: DataFrame[]): Matrix {
  expect(frames).toHaveLength(1);
  const [rowsField, ...columns] = frames[0].fields;
  const out: Matrix = {};
  rowsField.values.forEach((user: string, i: number) => {
    out[user] = Object.fromEntries(columns.map((c) => [c.name, c.values[i] ?? null]));
  });
  return out;
}

/** Everything the app's panels would show, read through Prometheus with the given settings. */
async function answers(promUrl: string, s: ResolvedSettings) {
  const at = cluster.evalTime;
  const instant = async (q: string) => seriesFrames(await instantQuery(promUrl, interpolate(q), at));
  const id = s.labels.challengeId;

  const stateCounts: Record<string, number[]> = {};
  const stateCountsAtEnd: Record<string, number> = {};
  let deletedMaxOverTime = 0;
  const perChallenge: Record<string, Record<string, number>> = {};
  for (const { value, name } of STATES) {
    stateCounts[name] = statValues(await instant(stateCountQuery(s, value)));
    perChallenge[name] = valuesBy(await instant(challengeStateCountQuery(s, value)), id);
    // The over-time panel: a range query over the run, step 1 s, ending at the evaluation time.
    const startS = at - (Math.ceil(at - cluster.startTime) + 30);
    const frames = seriesFrames(await rangeQuery(promUrl, interpolate(stateCountOverTimeQuery(s, value)), startS, at, 1));
    const values = frames[0].fields[1].values as number[];
    if (value === ChallengeState.Deleted) {
      deletedMaxOverTime = Math.max(...values);
    } else {
      stateCountsAtEnd[name] = values[values.length - 1];
    }
  }

  // The matrix: instant, table format, then the app's transforms.
  const table = tableFrame(await instantQuery(promUrl, interpolate(matrixQuery(s)), at), at * 1000);
  const matrix = matrixCells(await applyTransformations([table], matrixTransformations(s.labels)));

  const userInstances: Record<string, Record<string, number>> = {};
  for (const user of [...new Set(cluster.truth.map((r) => r.user))]) {
    userInstances[user] = valuesBy(await instant(userInstancesQuery(s, user)), s.labels.challengeName);
  }

  const labelValues: Record<string, string[]> = {};
  for (const role of FILTER_ROLES) {
    // Grafana runs label_values(<selector>, <label>) as the label values API, matched to the dashboard range.
    const m = /^label_values\((.*), (\w+)\)$/.exec(labelValuesVariableQuery(s, role, NO_FILTERS))!;
    labelValues[role] = (await promApi<string[]>(promUrl, `label/${m[2]}/values`, {
      'match[]': m[1], start: String(cluster.startTime - 60), end: String(at),
    }, 'GET')).sort();
  }

  return {
    stateCounts,
    stateCountsAtEnd,
    deletedSeenOverTime: deletedMaxOverTime >= 1 && deletedMaxOverTime <= 2,
    perChallenge,
    matrix,
    userInstances,
    errorInstances: Object.keys(valuesBy(await instant(errorInstancesQuery(s)), s.labels.challengeName)).sort(),
    stuckDeletions: (await instant(stuckDeletionsQuery(s))).length,
    peakByUser: valuesBy(await instant(peakConcurrentByUserQuery(s)), s.labels.username),
    topUsers: valuesBy(await instant(topUsersQuery(s)), s.labels.username),
    peakDistribution: valuesBy(await instant(peakDistributionQuery(s)), PEAK_LABEL),
    byCategory: valuesBy(await instant(instancesByCategoryQuery(s)), 'category'),
    categoryShare: roundAll(valuesBy(await instant(categoryShareQuery(s)), 'category')),
    requestsByChallenge: {
      cpu: roundAll(valuesBy(await instant(requestsByChallengeQuery(s, 'cpu')), id)),
      memory: roundAll(valuesBy(await instant(requestsByChallengeQuery(s, 'memory')), id)),
    },
    requestsByCategory: {
      cpu: roundAll(valuesBy(await instant(requestsByCategoryQuery(s, 'cpu')), 'category')),
      memory: roundAll(valuesBy(await instant(requestsByCategoryQuery(s, 'memory')), 'category')),
    },
    labelValues,
  };
}

/** The same answers, computed from what the apiserver holds (and the script's own history for the peaks). */
function expected() {
  const truth = cluster.truth;
  const users = [...new Set(truth.map((r) => r.user))].sort();
  const challenges = [...new Set(truth.map((r) => r.challengeId))].sort();
  const running = truth.filter((r) => r.value === ChallengeState.Running);
  const stateCounts: Record<string, number[]> = {};
  const stateCountsAtEnd: Record<string, number> = {};
  const perChallenge: Record<string, Record<string, number>> = {};
  for (const { value, name } of STATES) {
    stateCounts[name] = [count(truth, (r) => r.value === value)];
    if (value !== ChallengeState.Deleted) {
      stateCountsAtEnd[name] = count(truth, (r) => r.value === value);
    }
    perChallenge[name] = Object.fromEntries(challenges.map((c) => [c, count(truth, (r) => r.challengeId === c && r.value === value)]));
  }
  const matrix: Matrix = {};
  for (const u of users) {
    matrix[u] = Object.fromEntries(challenges.map((c) => [c, truth.find((r) => r.user === u && r.challengeId === c)?.value ?? null]));
  }
  const userInstances = Object.fromEntries(users.map((u) => [u, Object.fromEntries(truth.filter((r) => r.user === u).map((r) => [r.name, r.value]))]));
  const category = (r: TruthRow) => cluster.categories[r.definition];
  const sumBy = (key: (r: TruthRow) => string, v: (r: TruthRow) => number) => {
    const out: Record<string, number> = {};
    for (const r of running) {
      out[key(r)] = (out[key(r)] ?? 0) + v(r);
    }
    return roundAll(out);
  };
  const byCategory = sumBy(category, () => 1);
  const peakDistribution: Record<string, number> = {};
  for (const peak of Object.values(cluster.peakRunning)) {
    peakDistribution[String(peak)] = (peakDistribution[String(peak)] ?? 0) + 1;
  }
  return {
    stateCounts,
    stateCountsAtEnd,
    deletedSeenOverTime: true,
    perChallenge,
    matrix,
    userInstances,
    errorInstances: truth.filter((r) => r.value === ChallengeState.Error).map((r) => r.name).sort(),
    stuckDeletions: 0,
    peakByUser: cluster.peakRunning,
    topUsers: cluster.peakRunning,
    peakDistribution,
    byCategory,
    categoryShare: roundAll(Object.fromEntries(Object.entries(byCategory).map(([c, n]) => [c, n / running.length]))),
    requestsByChallenge: {
      cpu: sumBy((r) => r.challengeId, (r) => cluster.requests[r.definition].cpu),
      memory: sumBy((r) => r.challengeId, (r) => cluster.requests[r.definition].memory),
    },
    requestsByCategory: {
      cpu: sumBy(category, (r) => cluster.requests[r.definition].cpu),
      memory: sumBy(category, (r) => cluster.requests[r.definition].memory),
    },
    labelValues: { namespace: [...new Set(truth.map((r) => r.namespace))].sort(), username: users, challengeId: challenges },
  };
}

describe('path: apiserver -> operator -> Prometheus -> app queries -> frames -> transforms', () => {
  it('played a CTF that covers every state, a quota refusal and both kinds of deletion', () => {
    const states = cluster.truth.map((r) => r.state);
    for (const s of ['Pending', 'Running', 'Deleted', 'Error']) {
      expect(states).toContain(s);
    }
    expect(cluster.truth.find((r) => r.name === 'ch-3-alice')?.state).toBe('Error'); // over --max-per-user=2
  });

  // The same answers from Debian's Prometheus 2.x and from Prometheus 3, scraping the same operator.
  describe.each(PROMETHEUS_BUILDS)('Prometheus $name', ({ name, major }) => {
    const prom = () => cluster.prometheus[name];

    it('is that version', async () => {
      for (const url of [prom().default, prom().legacy]) {
        const info = await promApi<{ version: string }>(url, 'status/buildinfo', {}, 'GET');
        expect(info.version).toMatch(new RegExp(`^${major}\\.`));
      }
    });

    it('default settings: every panel shows what the cluster holds', async () => {
      expect(await answers(prom().default, DEFAULT_SETTINGS)).toEqual(expected());
    }, 60_000);

    it("with the chart's recording rules loaded: the panels that read them give the same answers", async () => {
      const withRules = { ...DEFAULT_SETTINGS, recordingRules: true };
      // The builders really switch to the rules (else this would only repeat the first test).
      expect(stateCountOverTimeQuery(withRules, ChallengeState.Running)).toContain(STATE_COUNT_RULE);
      expect(peakConcurrentByUserQuery(withRules)).toContain(USER_RUNNING_RULE);
      expect(await answers(prom().default, withRules)).toEqual(expected());
    }, 60_000);

    it('the original operator (challeng_id) with the legacy label setting: the same answers', async () => {
      const legacy = resolveSettings({ challengeIdLabel: LEGACY_CHALLENGE_ID_LABEL });
      expect(legacy.labels.challengeId).toBe(LEGACY_CHALLENGE_ID_LABEL);
      // The legacy Prometheus really has the typo and not the new name, so the setting is what makes it work.
      const raw = await instantQuery(prom().legacy, 'count(challenge_resource_status{challenge_id!=""}) or vector(0)', cluster.evalTime);
      expect(raw.resultType === 'vector' && raw.result[0].value[1]).toBe('0');
      expect(await answers(prom().legacy, legacy)).toEqual(expected());
    }, 60_000);
  });
});
