// files/rules.yaml against the metric contract (@hexactf/contract): every series an expression reads, every label it
// groups, matches or prints, and every recorded name is the contract's, and every recording rule the contract names
// is recorded. promtool (rules.test.ts) proves what the rules compute; this proves they read what the operator writes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  CHALLENGE_METRICS,
  CONTROLLER_LABEL,
  CONTROLLER_METRICS,
  INFO_LABELS,
  INFO_METRIC,
  RECORDING_RULES,
  REPLICA_OWN_LABELS,
  REQUEST_LABELS,
  REQUESTS_METRIC,
  STATE_RULE_LABEL,
  STATUS_LABELS,
  STATUS_METRIC,
} from '@hexactf/contract';
import { chartDir } from './helm.ts';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  annotations?: Record<string, string>;
}

const groups: Array<{ name: string; rules: Rule[] }> = parse(
  readFileSync(join(chartDir, 'files/rules.yaml'), 'utf8')
).groups;
const rules = groups.flatMap((g) => g.rules);

/** Series Prometheus writes itself (not the operator's): the scrape health of each target. */
const PROMETHEUS_SERIES = ['up'];
/**
 * Target labels Prometheus adds to every scraped series, and the external label that tells clusters apart behind
 * Thanos Query or VictoriaMetrics (each cluster's Prometheus adds `cluster`; absent with a single Prometheus).
 */
const TARGET_LABELS = ['job', 'cluster'];

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

/** Metric names an expression selects: identifiers that are not functions, keywords, label lists or strings. */
function seriesNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(GROUPING, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/[A-Za-z0-9_:.]+/g)) {
    const word = m[0];
    if (/^[0-9.]/.test(word) || KEYWORDS.has(word.toLowerCase())) {
      continue;
    }
    if (/^\s*\(/.test(bare.slice(m.index + word.length))) {
      continue;
    } // a function or aggregation
    names.push(word);
  }
  return names;
}

/** Label names an expression groups or joins on, matches in a selector, or an annotation prints. */
function labelNames(rule: Rule): string[] {
  const expr = rule.expr.replace(/"(?:[^"\\]|\\.)*"/g, (s) => (s.includes('=') ? '""' : s));
  const out: string[] = [];
  for (const m of expr.matchAll(GROUPING)) {
    out.push(
      ...m[2]
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean)
    );
  }
  for (const sel of expr.matchAll(/\{([^}]*)\}/g)) {
    for (const m of sel[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)) {
      out.push(m[1]);
    }
  }
  for (const text of Object.values(rule.annotations ?? {})) {
    for (const m of text.matchAll(/\$labels\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
      out.push(m[1]);
    }
  }
  return out;
}

describe('files/rules.yaml speaks the metric contract', () => {
  const recorded = rules.flatMap((r) => (r.record ? [r.record] : []));
  const knownSeries = new Set([
    ...CHALLENGE_METRICS,
    ...Object.values(CONTROLLER_METRICS),
    ...Object.values(RECORDING_RULES),
    ...PROMETHEUS_SERIES,
  ]);
  const knownLabels = new Set([
    ...Object.values(STATUS_LABELS),
    ...INFO_LABELS,
    ...REQUEST_LABELS,
    STATE_RULE_LABEL,
    CONTROLLER_LABEL,
    ...REPLICA_OWN_LABELS,
    ...TARGET_LABELS,
  ]);

  it('the expression scanner finds series and labels (and so can fail)', () => {
    assert.deepEqual(
      seriesNames(
        'sum by (a) (rate(x_total{b="c{d}"}[5m] offset 1h)) / on (e) group_left (f) y:z > bool 0.1 or vector(0)'
      ),
      ['x_total', 'y:z']
    );
    assert.deepEqual(
      labelNames({
        expr: 'max by (a, b) (m{c="1", d=~"x"}) * on (e) group_right m2',
        annotations: { s: '{{ $labels.f }}' },
      }),
      ['a', 'b', 'e', 'c', 'd', 'f']
    );
    const all = new Set(rules.flatMap((r) => seriesNames(r.expr)));
    for (const name of [STATUS_METRIC, INFO_METRIC, REQUESTS_METRIC]) {
      assert.ok(all.has(name), `no rule reads ${name}`);
    }
  });

  it("every series a rule reads is an operator metric, a recorded rule or Prometheus' own", () => {
    const unknown = rules.flatMap((r) =>
      seriesNames(r.expr)
        .filter((n) => !knownSeries.has(n))
        .map((n) => `${r.record ?? r.alert}: ${n}`)
    );
    assert.deepEqual(unknown, []);
  });

  it('every label a rule uses is a contract label (or job)', () => {
    const unknown = rules.flatMap((r) =>
      labelNames(r)
        .filter((l) => !knownLabels.has(l))
        .map((l) => `${r.record ?? r.alert}: ${l}`)
    );
    assert.deepEqual(unknown, []);
  });

  it("records exactly the contract's recording rules", () => {
    assert.deepEqual([...recorded].sort(), Object.values(RECORDING_RULES).sort());
    assert.equal(new Set(recorded).size, recorded.length, 'a rule is recorded twice');
  });

  it("the state count rule puts the state in the contract's label", () => {
    const rule = rules.find((r) => r.record === RECORDING_RULES.challengeStateCount);
    assert.ok(rule);
    assert.match(rule.expr, new RegExp(`count_values by \\([^)]*\\) \\("${STATE_RULE_LABEL}"`));
  });
});
