// Every alert and recording rule, evaluated by the real promtool of Prometheus 2.x and 3.x: `check rules` on the
// source file and on what the chart renders, `test rules` with fixture series -> expected samples/alerts
// (fixtures/rules-test.yaml).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PROMETHEUS_BUILDS, runPromtoolOf, versionOf } from '@hexactf/testing/prometheus-builds';
import { parse, stringify } from 'yaml';
import { chartDir, findObject, renderChart } from './helm.ts';

const rulesFile = join(chartDir, 'files/rules.yaml');
const unitTests = join(import.meta.dirname, 'fixtures/rules-test.yaml');
const ruleNames = (groups: any[]) => groups.flatMap((g) => g.rules.map((r: any) => r.alert ?? r.record));

/**
 * The alerts as they were before they read the newest sample: `max by` alone, so the highest value of a Challenge's
 * series within the lookback won (an old pod's stale Error or Deleted over the new pod's state).
 */
const HIGHEST_VALUE_ALERTS: Record<string, string> = {
  HexactfChallengeInstanceError:
    'count by (namespace, challenge_id) (max by (namespace, challenge_id, challenge_name) (challenge_resource_status) == 3)',
  HexactfChallengeDeletionStuck:
    'max by (namespace, challenge_id, challenge_name, username) (challenge_resource_status) == 2',
  HexactfChallengeInstancePendingTooLong:
    'max by (namespace, challenge_id, challenge_name, username) (challenge_resource_status) == 0',
};

for (const build of PROMETHEUS_BUILDS) {
  describe(`promtool of Prometheus ${build.name}`, () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hexactf-rules-'));
    after(() => rmSync(tmp, { recursive: true, force: true }));
    const promtool = (args: string[]) => runPromtoolOf(build, args);

    it('is that version', () => {
      assert.match(versionOf(build.promtool), new RegExp(`version ${build.major}\\.`));
    });

    it('check rules accepts files/rules.yaml', () => {
      const r = promtool(['check', 'rules', rulesFile]);
      assert.equal(r.status, 0, r.output);
      assert.match(r.output, /SUCCESS: 13 rules found/);
    });

    it('check rules accepts the PrometheusRule the chart renders', () => {
      const rule = findObject(renderChart({ set: ['prometheusRule.enabled=true'] }), 'PrometheusRule');
      const file = join(tmp, 'rendered.yaml');
      writeFileSync(file, stringify({ groups: rule.spec.groups }));
      const r = promtool(['check', 'rules', file]);
      assert.equal(r.status, 0, r.output);
    });

    it('test rules: every alert and recording rule has a unit test, and they pass', () => {
      const tests = parse(readFileSync(unitTests, 'utf8'));
      const tested = new Set<string>();
      for (const t of tests.tests) {
        for (const a of t.alert_rule_test ?? []) {
          tested.add(a.alertname);
        }
        for (const e of t.promql_expr_test ?? []) {
          tested.add(String(e.expr).split('{')[0]);
        }
      }
      const all = ruleNames(parse(readFileSync(rulesFile, 'utf8')).groups);
      assert.deepEqual(
        all.filter((n: string) => !tested.has(n)),
        [],
        'rules without a unit test'
      );

      const r = promtool(['test', 'rules', unitTests]);
      assert.equal(r.status, 0, r.output);
      assert.match(r.output, /SUCCESS/);
    });

    it('test rules fails when an expectation is wrong (the tests can fail)', () => {
      // Same fixture with carol's Pending alert expected one minute early: promtool must report it.
      const text = readFileSync(unitTests, 'utf8')
        .replace('eval_time: 11m', 'eval_time: 9m30s')
        .replaceAll('../../../chart/files/rules.yaml', rulesFile);
      const file = join(tmp, 'wrong.yaml');
      writeFileSync(file, text);
      const r = promtool(['test', 'rules', file]);
      assert.notEqual(r.status, 0);
      assert.match(r.output, /HexactfChallengeInstancePendingTooLong/);
    });

    it('test rules fails on the highest-value alerts (the identity-change cases can fail)', () => {
      // files/rules.yaml with the three state alerts as they were (max by alone): the fixture's change of series
      // identity (an old pod's series within the lookback beside the new pod's) must make promtool report each.
      const source = parse(readFileSync(rulesFile, 'utf8'));
      let replaced = 0;
      for (const group of source.groups) {
        for (const rule of group.rules) {
          if (rule.alert in HIGHEST_VALUE_ALERTS) {
            assert.match(rule.expr, /timestamp\(challenge_resource_status\)/, `${rule.alert} reads the newest sample`);
            rule.expr = HIGHEST_VALUE_ALERTS[rule.alert];
            replaced++;
          }
        }
      }
      assert.equal(replaced, Object.keys(HIGHEST_VALUE_ALERTS).length);
      const highest = join(tmp, 'highest-value-rules.yaml');
      writeFileSync(highest, stringify(source));
      const file = join(tmp, 'highest-value-test.yaml');
      writeFileSync(file, readFileSync(unitTests, 'utf8').replaceAll('../../../chart/files/rules.yaml', highest));
      const r = promtool(['test', 'rules', file]);
      assert.notEqual(r.status, 0, r.output);
      const failed = [...r.output.matchAll(/alertname: (\w+), time: (\w+)/g)].map((m) => `${m[1]} ${m[2]}`);
      assert.deepEqual(failed, [
        'HexactfChallengeInstanceError 3m', // hana's, frank's and jack's stale Error
        'HexactfChallengeInstanceError 4m',
        'HexactfChallengeDeletionStuck 6m', // kate's stale Deleted
        'HexactfChallengeDeletionStuck 8m', // jack's Deleted hidden behind his stale Error
        'HexactfChallengeInstancePendingTooLong 13m', // ivan's Pending hidden behind his stale Running
        'HexactfChallengeDeletionStuck 8m', // two clusters' bob merged into one (no cluster in the by list)
      ]);
    });
  });
}
