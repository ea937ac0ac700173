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
      assert.match(r.output, /SUCCESS: 12 rules found/);
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
  });
}
