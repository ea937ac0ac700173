/*
 * The series every page's promtool test evaluates its queries on, and the harness that runs `promtool test rules` of
 * Prometheus 2.x and 3.x. The series cover: running, error, deleted-then-removed, a series that vanishes while
 * Running, an operator restart (a scrape gap, and a restart that changes the target's `instance` label), both sides
 * of the window boundary, and odd label values (quotes, backslash, Unicode, regex characters, text that looks like
 * Grafana variables). Each page's cases run once with the operator's label names, once with the original HexaCTF
 * operator's `challeng_id`.
 *
 * The expected samples in the page tests are worked out by hand from the series (see the comments on each one),
 * never copied from promtool's output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROMETHEUS_BUILDS, runPromtoolOf, versionOf, type PrometheusBuild } from '@hexactf/testing/prometheus-builds';
import type { ToolRun } from '@hexactf/testing/tools';

import { DEFAULT_LABELS, type LabelNames } from '../metric/contract';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { NO_FILTERS, type QueryFilters, type QuerySettings } from './common';
import { MATRIX_COLUMN_LABEL } from './users';

// Concrete values for the Grafana variables, as scenes would interpolate them.
export const VARIABLES: Record<string, string> = { $window: '30m', $__range: '1h', $__rate_interval: '2m' };
export const EVAL = '60m'; // T = 3600 s; the window is [1800 s, 3600 s] (Prometheus 3 makes it (1800, 3600]).

// A username with a quote, a backslash, Unicode (U+FFFD too, which Prometheus' lexer refuses written as is), regex
// characters and text Grafana would take for variables.
export const ODD_USER = 'o"d\\d ü\uFFFD|.*$window[[x]]';
export const ODD_CHALLENGE = 're(v)*2';

export interface Instance {
  ns: string;
  id: string;
  name: string;
  user: string;
  instance?: string;
  /** promtool series notation, one sample per 30 s from t = 0 (`axn` = n+1 samples of a, `_xn` = n gaps). */
  values: string;
  /** challenge_info's definition/category (category '' = label absent); omitted = no challenge_info series. */
  info?: { definition: string; category: string };
}

// Sample index i is at t = 30 i seconds; index 120 is T.
export const INSTANCES: Instance[] = [
  // alice: Pending, then Running from 60 s to the end.
  {
    ns: 'ctf',
    id: 'web-1',
    name: 'web-1-alice',
    user: 'alice',
    values: '0x1 1x118',
    info: { definition: 'web-1', category: 'web' },
  },
  // alice's second instance: Running 600..1470 s, Deleted 1500..1530 s, then removed (before the window).
  { ns: 'ctf', id: 'pwn-1', name: 'pwn-1-alice', user: 'alice', values: '_x20 1x29 2x1 stale' },
  // bob: Pending, then Error from 120 s on.
  {
    ns: 'ctf',
    id: 'pwn-1',
    name: 'pwn-1-bob',
    user: 'bob',
    values: '0x3 3x116',
    info: { definition: 'pwn-1', category: 'pwn' },
  },
  // carol: Running until 2970 s, Deleted 3000..3060 s, then removed (the retention passed).
  {
    ns: 'ctf',
    id: 'web-1',
    name: 'web-1-carol',
    user: 'carol',
    values: '1x99 2x2 stale',
    info: { definition: 'web-1', category: 'web' },
  },
  // dave: vanishes while Running at 2430 s (no Deleted ever seen: a finalizer removed by hand, a lost tombstone).
  // Not Running any more: gone from every view of the window (the HexaCTF write-up's query counted him Running for the whole window).
  {
    ns: 'ctf',
    id: 'rev-1',
    name: 'rev-1-dave',
    user: 'dave',
    values: '1x80 stale',
    info: { definition: 'rev-1', category: '' },
  },
  // erin: the operator restarts at 2730 s under a new target (instance op-b); no samples 2730..2790 s.
  {
    ns: 'ctf',
    id: 'web-1',
    name: 'web-1-erin',
    user: 'erin',
    values: '0x1 1x88 stale',
    info: { definition: 'web-1', category: 'web' },
  },
  {
    ns: 'ctf',
    id: 'web-1',
    name: 'web-1-erin',
    user: 'erin',
    instance: 'op-b',
    values: '_x94 1x26',
    info: { definition: 'web-1', category: 'web' },
  },
  // frank: last sample at 1770 s, just before the window.
  { ns: 'ctf', id: 'misc-1', name: 'misc-1-frank', user: 'frank', values: '1x59 stale' },
  // grace: Pending, last sample at 1830 s, just inside the window, then gone without a Deleted: not shown.
  {
    ns: 'ctf',
    id: 'misc-1',
    name: 'misc-1-grace',
    user: 'grace',
    values: '0x61 stale',
    info: { definition: 'misc-1', category: 'misc' },
  },
  // the odd user, Running throughout.
  {
    ns: 'ctf',
    id: ODD_CHALLENGE,
    name: 'rev-2-odd',
    user: ODD_USER,
    values: '1x120',
    info: { definition: 'rev-2', category: 'rev' },
  },
  // mia: Running throughout; her definition has no category.
  {
    ns: 'ctf',
    id: 'rev-1',
    name: 'rev-1-mia',
    user: 'mia',
    values: '1x120',
    info: { definition: 'rev-1', category: '' },
  },
  // nora: Error under target op-a until the operator restarts at 2730 s under op-b, where she has recovered to
  // Running (the operator allows Error -> Running): the newest state, Running, not the highest (Error).
  { ns: 'ctf', id: 'web-1', name: 'web-1-nora', user: 'nora', values: '0x1 3x88 stale' },
  { ns: 'ctf', id: 'web-1', name: 'web-1-nora', user: 'nora', instance: 'op-b', values: '_x94 1x26' },
  // namespace ctf-2: `a.c` Running, and `abc` in Error, which an unescaped `a.c` would also match.
  {
    ns: 'ctf-2',
    id: 'web-1',
    name: 'web-1-a.c',
    user: 'a.c',
    values: '1x120',
    info: { definition: 'web-1', category: 'web' },
  },
  {
    ns: 'ctf-2',
    id: 'web-1',
    name: 'web-1-abc',
    user: 'abc',
    values: '3x120',
    info: { definition: 'web-1', category: 'web' },
  },
  // judy: Deleted since 3030 s and never removed: a stuck finalizer.
  {
    ns: 'ctf',
    id: 'web-1',
    name: 'web-1-judy',
    user: 'judy',
    values: '1x100 2x19',
    info: { definition: 'web-1', category: 'web' },
  },
  // ken: Deleted since 3480 s, still within a normal deletion + retention.
  {
    ns: 'ctf',
    id: 'pwn-1',
    name: 'pwn-1-ken',
    user: 'ken',
    values: '1x115 2x4',
    info: { definition: 'pwn-1', category: 'pwn' },
  },
  // leo: Deleted since 2730 s; at 3330 s his series goes while the operator keeps reporting everyone else (the
  // deletion finished, the series was removed), and from 3450 s he is Deleted again: deleted, re-created under the
  // same labels and deleted again, a new deletion.
  {
    ns: 'ctf',
    id: 'pwn-1',
    name: 'pwn-1-leo',
    user: 'leo',
    values: '1x90 2x19 stale _x3 2x5',
    info: { definition: 'pwn-1', category: 'pwn' },
  },
];

// challenge_definition_requests per (namespace, definition): [cores, bytes]. ctf/web-1 is exported by both targets.
export const REQUESTS: Array<{
  ns: string;
  definition: string;
  category: string;
  cpu: number;
  memory: number;
  instance?: string;
  values?: string;
}> = [
  { ns: 'ctf', definition: 'web-1', category: 'web', cpu: 0.5, memory: 268435456 },
  { ns: 'ctf', definition: 'web-1', category: 'web', cpu: 0.5, memory: 268435456, instance: 'op-b', values: '_x94' },
  { ns: 'ctf', definition: 'rev-1', category: '', cpu: 1, memory: 536870912 },
  { ns: 'ctf', definition: 'rev-2', category: 'rev', cpu: 0.25, memory: 134217728 },
  { ns: 'ctf', definition: 'pwn-1', category: 'pwn', cpu: 2, memory: 1073741824 },
  { ns: 'ctf-2', definition: 'web-1', category: 'web', cpu: 1.5, memory: 100000000 },
];

// --- promtool file ------------------------------------------------------------------------------------------------

export type Labels = Record<string, string>;
// Test-side label formatting, independent of the app's escaping: JSON string escapes are valid PromQL escapes
// (U+FFFD, which JSON leaves as is and the lexer refuses, written as \ufffd).
export const formatLabels = (labels: Labels) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v).replaceAll('\uFFFD', '\\ufffd')}`)
    .join(', ')}}`;

export function instanceLabels(L: LabelNames, i: Pick<Instance, 'ns' | 'id' | 'name' | 'user'>): Labels {
  return { [L.namespace]: i.ns, [L.challengeId]: i.id, [L.challengeName]: i.name, [L.username]: i.user };
}

export function inputSeries(L: LabelNames) {
  const series: Array<{ series: string; values: string }> = [];
  for (const i of INSTANCES) {
    const target = { job: 'challenge-operator', instance: i.instance ?? 'op-a' };
    series.push({
      series: `challenge_resource_status${formatLabels({ ...instanceLabels(L, i), ...target })}`,
      values: i.values,
    });
    if (i.info) {
      const info: Labels = { ...instanceLabels(L, i), definition: i.info.definition, ...target };
      if (i.info.category) {
        info.category = i.info.category;
      }
      // challenge_info exists exactly while the state series does, valued 1.
      const values = i.values.replace(/\b\d+x/g, '1x').replace(/(^| )\d+(?= |$)/g, '$11');
      series.push({ series: `challenge_info${formatLabels(info)}`, values });
    }
  }
  for (const r of REQUESTS) {
    for (const resource of ['cpu', 'memory'] as const) {
      const labels: Labels = {
        [L.namespace]: r.ns,
        definition: r.definition,
        resource,
        job: 'challenge-operator',
        instance: r.instance ?? 'op-a',
      };
      if (r.category) {
        labels.category = r.category;
      }
      const values = `${r.values ? r.values + ' ' : ''}${r[resource]}+0x${r.values ? 26 : 120}`;
      series.push({ series: `challenge_definition_requests${formatLabels(labels)}`, values });
    }
  }
  return series;
}

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
