/**
 * @jest-environment node
 */
/*
 * Which names the settings refuse, proven on the real parser: every query the app builds is checked by
 * `promtool check rules` with a name in each position (each role's label, the metric). A word the settings refuse
 * must break at least one query; every other name tried, keywords Prometheus does accept there included, must
 * leave every query parseable.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPromtoolOnEveryBuild } from '@hexactf/testing/prometheus-builds';

import { ChallengeState, type LabelNames } from '../metric/contract';
import * as q from '../queries';
import { FILTER_ROLES, ROLES } from './labelRoles';
import { labelNameProblem, metricNameProblem } from './promqlNames';
import { resolveSettings, validateSettings } from './settings';
// The dashboard variables as the promtool cases fill them in.
import { VARIABLES } from '../queries/promtool.series.fixture';

// Placeholders the queries are built with, then replaced by the name under test (the builders refuse bad names).
const METRIC = 'zz_metric';
const LABELS: LabelNames = {
  namespace: 'zz_namespace',
  username: 'zz_username',
  challengeId: 'zz_challenge_id',
  challengeName: 'zz_challenge_name',
};

/** Every query the app sends to Prometheus as PromQL (label_values is Grafana's, not PromQL), every form. */
function everyQuery(): string[] {
  const out: string[] = [];
  const filters: q.QueryFilters = Object.fromEntries(FILTER_ROLES.map((r) => [r, ['a', 'b']]));
  for (const recordingRules of [false, true]) {
    for (const f of [q.NO_FILTERS, filters]) {
      const s = { metricName: METRIC, labels: LABELS, recordingRules };
      for (const state of [ChallengeState.Running, ChallengeState.Error]) {
        out.push(q.stateCountQuery(s, state, f), q.stateCountOverTimeQuery(s, state, f));
        out.push(q.challengeStateCountQuery(s, state, f));
      }
      out.push(q.matrixQuery(s, f), q.userInstancesQuery(s, 'u', f));
      out.push(q.peakConcurrentByUserQuery(s, f), q.topUsersQuery(s, f), q.peakDistributionQuery(s, f));
      out.push(q.instancesByCategoryQuery(s, f), q.categoryShareQuery(s, f));
      for (const r of ['cpu', 'memory'] as const) {
        out.push(q.requestsByChallengeQuery(s, r, f), q.requestsByCategoryQuery(s, r, f));
      }
      out.push(q.errorInstancesQuery(s, f), q.stuckDeletionsQuery(s, f));
    }
  }
  out.push(q.metricPresenceQuery(METRIC));
  return out.map((expr) => Object.entries(VARIABLES).reduce((e, [v, value]) => e.split(v).join(value), expr));
}

/** The queries with `name` as the label of `role`, or as the metric name. */
function queriesWith(name: string, position: keyof LabelNames | 'metric'): string[] {
  const placeholder = position === 'metric' ? METRIC : LABELS[position];
  return everyQuery().map((e) => e.replace(new RegExp(`\\b${placeholder}\\b`, 'g'), name));
}

/**
 * The verdict of promtool (of Prometheus 2.x and 3.x: the app supports both) on a rule file recording each
 * expression: the parse errors, empty when all parse on both.
 */
function parseErrors(exprs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'hexactf-names-'));
  try {
    const path = join(dir, 'names.rules.yaml');
    const rules = exprs.map((expr, i) => ({ record: `check_${i}`, expr }));
    writeFileSync(path, JSON.stringify({ groups: [{ name: 'names', rules }] }));
    const run = runPromtoolOnEveryBuild(['check', 'rules', path]);
    return run.status === 0 ? '' : run.output;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const POSITIONS = [...ROLES, 'metric'] as const;
// Every keyword and number word of PromQL's lexer (Prometheus 2 and 3), some in another case, and near misses.
const CANDIDATES = [
  ...['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'count_values'],
  ...['quantile', 'limitk', 'limit_ratio', 'and', 'or', 'unless', 'atan2', 'by', 'without', 'on', 'ignoring'],
  ...['group_left', 'group_right', 'bool', 'offset', 'start', 'end', 'step', 'anchored', 'smoothed', 'inf', 'nan'],
  ...['WITHOUT', 'On', 'Bool', 'Inf', 'NaN', 'infinity', 'nan2', 'x_on'],
];

const problem = (name: string, position: (typeof POSITIONS)[number]) =>
  position === 'metric' ? metricNameProblem(name) : labelNameProblem(name);

describe('names the settings refuse, on the real parser', () => {
  it('every query parses with the placeholders', () => {
    const exprs = everyQuery();
    expect(exprs.length).toBeGreaterThan(50);
    expect(parseErrors(exprs)).toBe('');
  });

  it.each(CANDIDATES)('%s: refused exactly where it breaks a query', (name) => {
    const broken = POSITIONS.filter((p) => parseErrors(queriesWith(name, p)) !== '');
    const refused = POSITIONS.filter((p) => problem(name, p) !== undefined);
    expect(refused).toEqual(broken);
  });

  it('refuses at least the words the issue names', () => {
    for (const name of ['without', 'inf', 'nan']) {
      expect(labelNameProblem(name)).toBeDefined();
    }
    for (const name of ['on', 'bool', 'inf', 'nan']) {
      expect(metricNameProblem(name)).toBeDefined();
    }
  });

  it('says why in the settings, and resolving drops the name', () => {
    expect(validateSettings({ usernameLabel: 'without', metricName: 'on' })).toEqual({
      usernameLabel: '"without" is a PromQL keyword: Prometheus would not read it as a name in the queries.',
      metricName: '"on" is a PromQL keyword: Prometheus would not read it as a name in the queries.',
    });
    expect(validateSettings({ namespaceLabel: 'NaN' }).namespaceLabel).toMatch(/is a number in PromQL/);
    const resolved = resolveSettings({ usernameLabel: 'without', metricName: 'on' });
    expect(resolved.labels.username).toBe('username');
    expect(resolved.metricName).toBe('challenge_resource_status');
  });
});
