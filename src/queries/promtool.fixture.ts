/*
 * The harness that runs `promtool test rules` of Prometheus 2.x and 3.x on the shared series (promtool.series.fixture.ts).
 * Each page's cases run once with the operator's label names, once with the original HexaCTF operator's
 * `challeng_id`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROMETHEUS_BUILDS, runPromtoolOf, versionOf, type PrometheusBuild } from '@hexactf/testing/prometheus-builds';
import type { ToolRun } from '@hexactf/testing/tools';

import { DEFAULT_LABELS } from '../metric/contract';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { NO_FILTERS, type QueryFilters, type QuerySettings } from './common';
import {
  EVAL,
  INSTANCES,
  VARIABLES,
  formatLabels,
  inputSeries,
  instanceLabels,
  type Labels,
} from './promtool.series.fixture';
import { MATRIX_COLUMN_LABEL } from './users';

export interface Case {
  expr: string;
  at?: string;
  exp: Array<[Labels, number]>;
}

export function substitute(expr: string): string {
  let out = expr;
  for (const [variable, value] of Object.entries(VARIABLES)) {
    out = out.split(variable).join(value);
  }
  // Every `$` left would be a Grafana variable (or an unescaped user value that Grafana would rewrite).
  expect(out).not.toContain('$');
  expect(out).not.toContain('[[');
  return out;
}

/** Shorthands for a page's cases: filters, and the output labels of a challenge, a user, an instance, a cell. */
export function caseHelpers(s: QuerySettings) {
  const L = s.labels;
  const f = (filters: Partial<QueryFilters>): QueryFilters => ({ ...NO_FILTERS, ...filters });
  const byId = (id: string): Labels => ({ [L.challengeId]: id });
  const byUser = (user: string): Labels => ({ [L.username]: user });
  const inst = (user: string, id?: string) => {
    const i = INSTANCES.find((x) => x.user === user && (id === undefined || x.id === id))!;
    return instanceLabels(L, i);
  };
  const cell = (user: string, id?: string): Labels => {
    const labels = inst(user, id);
    // The matrix query names each column `<challenge id> @ <namespace>` (the app drops the namespace when its answer
    // holds one: src/transforms/matrix.ts).
    return { ...labels, [MATRIX_COLUMN_LABEL]: `${labels[L.challengeId]} @ ${labels[L.namespace]}` };
  };
  const none = {};
  const category = (c: string) => ({ category: c });
  return { L, f, byId, byUser, inst, cell, none, category };
}

export function promtoolFile(s: QuerySettings, cases: (s: QuerySettings) => Case[]) {
  return {
    rule_files: [],
    evaluation_interval: '30s',
    tests: [
      {
        interval: '30s',
        input_series: inputSeries(s.labels),
        promql_expr_test: cases(s).map((c) => ({
          expr: substitute(c.expr),
          eval_time: c.at ?? EVAL,
          exp_samples: c.exp.map(([labels, value]) => ({ labels: formatLabels(labels), value })),
        })),
      },
    ],
  };
}
export function promtoolTestRules(build: PrometheusBuild, file: object): ToolRun {
  const dir = mkdtempSync(join(tmpdir(), 'hexactf-promtool-'));
  try {
    const path = join(dir, 'queries.test.yaml');
    // JSON is YAML: no quoting rules to get wrong for the odd label values.
    writeFileSync(path, JSON.stringify(file, null, 2));
    return runPromtoolOf(build, ['test', 'rules', path]);
  } finally {
    // KEEP_PROMTOOL=1 keeps the generated file for a look at the queries as Prometheus receives them.
    if (!process.env.KEEP_PROMTOOL) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

// Every case on Debian's Prometheus 2.x and on Prometheus 3: the answers must not depend on the version.
/** The two label settings every page's cases run with. */
export const LABEL_SETTINGS: Array<[string, QuerySettings]> = [
  ['the operator label names', DEFAULT_SETTINGS],
  [
    "the original HexaCTF operator's label names (challeng_id)",
    { ...DEFAULT_SETTINGS, labels: { ...DEFAULT_LABELS, challengeId: 'challeng_id' } },
  ],
];

/** A page's cases on Debian's Prometheus 2.x and on Prometheus 3: the answers must not depend on the version. */
export function describeCases(page: string, cases: (s: QuerySettings) => Case[]) {
  describe.each(PROMETHEUS_BUILDS)(`${page} queries, evaluated by promtool of Prometheus $name`, (build) => {
    it('is the promtool of that Prometheus version', () => {
      expect(versionOf(build.promtool)).toMatch(new RegExp(`version ${build.major}\\.`));
    });

    it.each(LABEL_SETTINGS)('gives the exact samples with %s', (_name, settings) => {
      const { status, output } = promtoolTestRules(build, promtoolFile(settings, cases));
      expect(output).not.toContain('FAILED');
      expect(status).toBe(0);
    });
  });
}

/** A class of cases on its own small series (a promtool file each). */
export interface SeriesGroup {
  series: Array<{ series: string; values: string }>;
  cases: Case[];
}

function groupFile(g: SeriesGroup) {
  return {
    rule_files: [],
    evaluation_interval: '30s',
    tests: [
      {
        interval: '30s',
        input_series: g.series,
        promql_expr_test: g.cases.map((c) => ({
          expr: substitute(c.expr),
          eval_time: c.at ?? EVAL,
          exp_samples: c.exp.map(([labels, value]) => ({ labels: formatLabels(labels), value })),
        })),
      },
    ],
  };
}

/** Each class of `groups` as its own promtool file, with both label settings, on Prometheus 2.x and 3.x. */
export function describeGroups(title: string, groups: (s: QuerySettings) => Record<string, SeriesGroup>) {
  const classes = Object.keys(groups(LABEL_SETTINGS[0][1]));
  describe.each(PROMETHEUS_BUILDS)(`${title}, evaluated by promtool of Prometheus $name`, (build) => {
    describe.each(LABEL_SETTINGS)('with %s', (_name, settings) => {
      it.each(classes)('%s', (name) => {
        const { status, output } = promtoolTestRules(build, groupFile(groups(settings)[name]));
        expect(output).not.toContain('FAILED');
        expect(status).toBe(0);
      });
    });
  });
}
