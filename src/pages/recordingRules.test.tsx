import { act } from '@testing-library/react';
import { sceneGraph, type MultiValueVariable, type SceneObject, type SceneQueryRunner } from '@grafana/scenes';
import { STATE_COUNT_RULE, USER_RUNNING_RULE } from '../queries/common';
import { DEFAULT_SETTINGS } from '../settings/settings';
import {
  TEST_PROMETHEUS,
  instantNumberFrame,
  lastQueriesOf,
  renderScene,
  settle,
  setupHarness,
  type SceneHarness,
  type SentQuery,
} from '../test/scene-harness';
import { overviewScene } from './Overview/overviewPage';
import { usageScene } from './Usage/usagePage';
import { recordingRulesDetector } from '../data/recordingRules';

const RULE_NAMES = [STATE_COUNT_RULE, USER_RUNNING_RULE];
const OVER_TIME = 'counts-over-time';
// The Usage page's peak runners (its top users are the peak-per-user runner's rows: no runner of their own).
const PEAKS = ['peak-per-user', 'peak-distribution'];

const isRuleCheck = (q: SentQuery) => RULE_NAMES.some((rule) => q.expr.includes(`last_over_time(${rule}[`));

/** The stand-in Prometheus answers the rule check with 1 (`present`) or 0 for each rule, by datasource uid. */
const rulesAnswer =
  (presentOn: string[]) =>
  (q: SentQuery): ReturnType<SceneHarness['respond']> =>
    isRuleCheck(q) ? [instantNumberFrame(q.refId, presentOn.includes(q.datasourceUid) ? 1 : 0)] : [];

const exprsOf = (harness: SceneHarness, runner: string) => lastQueriesOf(harness, runner).map((q) => q.expr);

/** The queries of every runner but `except`, by runner key. */
function otherQueries(harness: SceneHarness, except: string[]) {
  const runners = new Set(harness.queries.map((q) => q.runner).filter((r) => r && !except.includes(r)));
  return Object.fromEntries([...runners].sort().map((r) => [r, exprsOf(harness, r)]));
}

async function render(scene: () => SceneObject, respond: SceneHarness['respond'], datasources = [TEST_PROMETHEUS]) {
  recordingRulesDetector.clear();
  const harness = setupHarness(datasources);
  harness.respond = respond;
  await renderScene(scene());
  return harness;
}

describe('recording rules', () => {
  it('the over-time panel reads the state-count rule when the Prometheus has the rules, else the raw gauge', async () => {
    const present = await render(() => overviewScene(DEFAULT_SETTINGS), rulesAnswer([TEST_PROMETHEUS.uid]));
    expect(exprsOf(present, OVER_TIME)).toHaveLength(4);
    for (const expr of exprsOf(present, OVER_TIME)) {
      expect(expr).toContain(STATE_COUNT_RULE);
      expect(expr).not.toContain('challenge_resource_status');
    }
    // Asked once for the whole page.
    expect(present.queries.filter(isRuleCheck)).toHaveLength(2);

    const absent = await render(() => overviewScene(DEFAULT_SETTINGS), rulesAnswer([]));
    for (const expr of exprsOf(absent, OVER_TIME)) {
      expect(expr).not.toContain(STATE_COUNT_RULE);
      expect(expr).toContain('challenge_resource_status');
    }
    expect(otherQueries(present, [OVER_TIME])).toEqual(otherQueries(absent, [OVER_TIME]));
    expect(Object.keys(otherQueries(present, [OVER_TIME])).length).toBeGreaterThan(0);
  });

  it('the peak panels read the per-user rule when the Prometheus has the rules, else the raw gauge', async () => {
    const present = await render(() => usageScene(DEFAULT_SETTINGS), rulesAnswer([TEST_PROMETHEUS.uid]));
    const absent = await render(() => usageScene(DEFAULT_SETTINGS), rulesAnswer([]));
    for (const runner of PEAKS) {
      expect(exprsOf(present, runner)).toEqual([expect.stringContaining(`max_over_time(${USER_RUNNING_RULE}[`)]);
      expect(exprsOf(absent, runner)).toEqual([expect.not.stringContaining(USER_RUNNING_RULE)]);
      expect(exprsOf(absent, runner)).toEqual([expect.stringContaining('challenge_resource_status')]);
    }
    expect(present.queries.filter(isRuleCheck)).toHaveLength(2);
    expect(otherQueries(present, PEAKS)).toEqual(otherQueries(absent, PEAKS));
  });

  it('shows what the raw form answered, never what the rule form sent beside the check answered, without the rules', async () => {
    // The over-time queries go out in the rule form before the check has answered; the rules are absent here.
    recordingRulesDetector.clear();
    const harness = setupHarness();
    harness.respond = (q) => {
      if (isRuleCheck(q)) {
        return [instantNumberFrame(q.refId, 0)];
      }
      const fromRule = q.expr.includes(STATE_COUNT_RULE);
      return q.runner === OVER_TIME ? [instantNumberFrame(q.refId, fromRule ? 7 : 3)] : [];
    };
    const scene = overviewScene(DEFAULT_SETTINGS);
    const runner = sceneGraph.findByKey(scene, OVER_TIME) as SceneQueryRunner;
    // Every figure the panel was ever given, not only the last.
    const shown: unknown[] = [];
    runner.subscribeToState(({ data }) =>
      data?.series.forEach((frame) => shown.push(frame.fields.find((f) => f.type === 'number')?.values.at(-1)))
    );
    await renderScene(scene);
    const ruleForm = harness.queries.filter((q) => q.runner === OVER_TIME && q.expr.includes(STATE_COUNT_RULE));
    expect(ruleForm).toHaveLength(4);
    for (const expr of exprsOf(harness, OVER_TIME)) {
      expect(expr).not.toContain(STATE_COUNT_RULE);
    }
    expect(shown.length).toBeGreaterThanOrEqual(4);
    expect(new Set(shown)).toEqual(new Set([3]));
  });

  it('falls back to the raw queries when the check fails', async () => {
    // Fake fault: the stand-in's request throws, as runRequest does when the datasource can't be reached.
    const failCheck = (q: SentQuery) => {
      if (isRuleCheck(q)) {
        throw new Error('Prometheus unreachable');
      }
      return [];
    };
    const usage = await render(() => usageScene(DEFAULT_SETTINGS), failCheck);
    expect(usage.queries.some(isRuleCheck)).toBe(true);
    for (const runner of PEAKS) {
      expect(exprsOf(usage, runner)).toEqual([expect.stringContaining('challenge_resource_status')]);
    }
    const overview = await render(() => overviewScene(DEFAULT_SETTINGS), failCheck);
    expect(exprsOf(overview, OVER_TIME)).toHaveLength(4);
    for (const expr of exprsOf(overview, OVER_TIME)) {
      expect(expr).toContain('challenge_resource_status');
    }
  });

  it('asks again when another datasource is selected', async () => {
    const second = { uid: 'second', name: 'Second' };
    let scene: SceneObject | undefined;
    const harness = await render(() => (scene = overviewScene(DEFAULT_SETTINGS)), rulesAnswer([second.uid]), [
      TEST_PROMETHEUS,
      second,
    ]);
    expect(exprsOf(harness, OVER_TIME)[0]).not.toContain(STATE_COUNT_RULE);
    const ds = sceneGraph.lookupVariable('ds', scene!) as MultiValueVariable;
    await act(async () => ds.changeValueTo(second.uid));
    await settle();
    expect(harness.queries.filter(isRuleCheck).map((q) => q.datasourceUid)).toEqual([
      TEST_PROMETHEUS.uid,
      TEST_PROMETHEUS.uid,
      second.uid,
      second.uid,
    ]);
    expect(exprsOf(harness, OVER_TIME)[0]).toContain(STATE_COUNT_RULE);
  });
});
