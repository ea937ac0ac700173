/**
 * @jest-environment node
 */
/*
 * Every query the app emits, evaluated by the real `promtool test rules` of Prometheus 2.x and 3.x on series
 * that cover: running, error, deleted-then-removed, a series that vanishes while Running, an operator restart (a
 * scrape gap, and a restart that changes the target's `instance` label), both sides of the window boundary, and
 * odd label values (quotes, backslash, Unicode, regex characters, text that looks like Grafana variables).
 * Once with the operator's label names, once with the seed's original `challeng_id`.
 *
 * The expected samples below are worked out by hand from the series (see the comments on each one), never copied
 * from promtool's output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROMETHEUS_BUILDS, runPromtoolOf, versionOf, type PrometheusBuild } from '@hexactf/testing/prometheus-builds';
import type { ToolRun } from '@hexactf/testing/tools';

import { ChallengeState, DEFAULT_LABELS, INFO_METRIC, REQUESTS_METRIC, type LabelNames } from '../metric/contract';
import { DEFAULT_SETTINGS } from '../settings/settings';
import {
  NO_FILTERS,
  categoryShareQuery,
  challengeStateCountQuery,
  errorInstancesQuery,
  instancesByCategoryQuery,
  legacyLabelPresenceQuery,
  MATRIX_COLUMN_LABEL,
  matrixQuery,
  metricPresenceQuery,
  operatorSilenceQuery,
  peakConcurrentByUserQuery,
  peakDistributionQuery,
  requestsByCategoryQuery,
  requestsByChallengeQuery,
  stateCountOverTimeQuery,
  stateCountQuery,
  stuckDeletionsQuery,
  topUsersQuery,
  userInstancesQuery,
  type QueryFilters,
  type QuerySettings,
} from './queries';

const { Pending, Running, Deleted, Error: ErrorState } = ChallengeState;

// Concrete values for the Grafana variables, as scenes would interpolate them.
const VARIABLES: Record<string, string> = { $window: '30m', $__range: '1h', $__rate_interval: '2m' };
const EVAL = '60m'; // T = 3600 s; the window is [1800 s, 3600 s] (Prometheus 3 makes it (1800, 3600]).

// A username with a quote, a backslash, Unicode (U+FFFD too, which Prometheus' lexer refuses written as is), regex
// characters and text Grafana would take for variables.
const ODD_USER = 'o"d\\d ü\uFFFD|.*$window[[x]]';
const ODD_CHALLENGE = 're(v)*2';

interface Instance {
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
const INSTANCES: Instance[] = [
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
  // Not Running any more: gone from every view of the window (the seed counted him Running for the whole window).
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
const REQUESTS: Array<{
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

type Labels = Record<string, string>;
// Test-side label formatting, independent of the app's escaping: JSON string escapes are valid PromQL escapes
// (U+FFFD, which JSON leaves as is and the lexer refuses, written as \ufffd).
const formatLabels = (labels: Labels) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v).replaceAll('\uFFFD', '\\ufffd')}`)
    .join(', ')}}`;

function instanceLabels(L: LabelNames, i: Pick<Instance, 'ns' | 'id' | 'name' | 'user'>): Labels {
  return { [L.namespace]: i.ns, [L.challengeId]: i.id, [L.challengeName]: i.name, [L.username]: i.user };
}

function inputSeries(L: LabelNames) {
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

interface Case {
  expr: string;
  at?: string;
  exp: Array<[Labels, number]>;
}

function substitute(expr: string): string {
  let out = expr;
  for (const [variable, value] of Object.entries(VARIABLES)) {
    out = out.split(variable).join(value);
  }
  // Every `$` left would be a Grafana variable (or an unescaped user value that Grafana would rewrite).
  expect(out).not.toContain('$');
  expect(out).not.toContain('[[');
  return out;
}

function cases(s: QuerySettings): Case[] {
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
    return { ...labels, [MATRIX_COLUMN_LABEL]: labels[L.challengeId] };
  };
  const none = {};
  const category = (c: string) => ({ category: c });

  return [
    // State per instance at T (docs/dashboard-semantics.md): reported now, alice, erin (one instance over two
    // targets), odd, a.c, mia, nora (newest: Running, not her old target's Error) 1; judy, ken, leo 2; bob, abc 3;
    // Deleted within the window, carol 2. Gone without a Deleted: dave (the seed said Running), grace (Pending).
    // frank (last 1770 s) and alice's pwn-1 (1530 s) are outside the window anyway.
    { expr: stateCountQuery(s, Pending), exp: [[none, 0]] },
    { expr: stateCountQuery(s, Running), exp: [[none, 6]] },
    { expr: stateCountQuery(s, Deleted), exp: [[none, 4]] },
    { expr: stateCountQuery(s, ErrorState), exp: [[none, 2]] },
    // Filters: namespace ctf-2 has a.c (Running) and abc (Error); no Pending there gives 0, not nothing.
    { expr: stateCountQuery(s, Pending, f({ namespace: ['ctf-2'] })), exp: [[none, 0]] },
    { expr: stateCountQuery(s, Running, f({ namespace: ['ctf-2'] })), exp: [[none, 1]] },
    { expr: stateCountQuery(s, ErrorState, f({ namespace: ['ctf-2'] })), exp: [[none, 1]] },
    // `a.c` must not match `abc` (Error), neither alone nor in a list with the odd name.
    { expr: stateCountQuery(s, ErrorState, f({ username: ['a.c'] })), exp: [[none, 0]] },
    { expr: stateCountQuery(s, Running, f({ username: ['a.c', ODD_USER] })), exp: [[none, 2]] },
    { expr: stateCountQuery(s, ErrorState, f({ username: ['a.c', ODD_USER] })), exp: [[none, 0]] },
    { expr: stateCountQuery(s, Running, f({ username: [ODD_USER] })), exp: [[none, 1]] },
    { expr: stateCountQuery(s, Running, f({ challengeId: [ODD_CHALLENGE, 'misc-1'] })), exp: [[none, 1]] },
    { expr: stateCountQuery(s, Pending, f({ challengeId: [ODD_CHALLENGE, 'misc-1'] })), exp: [[none, 0]] },
    // Only nora's newest state counts: no Error, one Running.
    { expr: stateCountQuery(s, ErrorState, f({ username: ['nora'] })), exp: [[none, 0]] },
    { expr: stateCountQuery(s, Running, f({ username: ['nora'] })), exp: [[none, 1]] },
    // dave's ghost is not Running.
    { expr: stateCountQuery(s, Running, f({ username: ['dave'] })), exp: [[none, 0]] },

    // Per challenge, every challenge with an instance in the views: web-1 has alice, erin, a.c, nora Running, abc
    // Error; pwn-1 bob Error; rev-1 mia Running (dave's ghost is not); re(v)*2 odd Running. misc-1 only had grace,
    // gone without a Deleted.
    {
      expr: challengeStateCountQuery(s, Running),
      exp: [
        [byId('web-1'), 4],
        [byId('pwn-1'), 0],
        [byId('rev-1'), 1],
        [byId(ODD_CHALLENGE), 1],
      ],
    },
    {
      expr: challengeStateCountQuery(s, ErrorState),
      exp: [
        [byId('web-1'), 1],
        [byId('pwn-1'), 1],
        [byId('rev-1'), 0],
        [byId(ODD_CHALLENGE), 0],
      ],
    },

    // Over time (instant evaluations of the range query; reported at that step, or Deleted within the last 2 m):
    // at 2760 s: Running alice, carol, odd, a.c, judy, ken, mia; leo Deleted since 2730 s. erin and nora are in
    // their operator's restart gap (op-a ended at 2700 s, op-b starts at 2850 s): not reported, not counted.
    { expr: stateCountOverTimeQuery(s, Pending), at: '2760s', exp: [[none, 0]] },
    { expr: stateCountOverTimeQuery(s, Running), at: '2760s', exp: [[none, 7]] },
    { expr: stateCountOverTimeQuery(s, Deleted), at: '2760s', exp: [[none, 1]] },
    { expr: stateCountOverTimeQuery(s, ErrorState), at: '2760s', exp: [[none, 2]] },
    // at 3120 s: carol's last sample (3060 s) is Deleted, judy and leo Deleted; Running alice, erin and nora (op-b),
    // odd, a.c, ken, mia.
    { expr: stateCountOverTimeQuery(s, Running), at: '3120s', exp: [[none, 7]] },
    { expr: stateCountOverTimeQuery(s, Deleted), at: '3120s', exp: [[none, 3]] },
    // at T: carol is gone, ken joined the Deleted.
    { expr: stateCountOverTimeQuery(s, Running), exp: [[none, 6]] },
    { expr: stateCountOverTimeQuery(s, Deleted), exp: [[none, 3]] },
    { expr: stateCountOverTimeQuery(s, Pending), exp: [[none, 0]] },

    // The matrix source: one sample per instance with the four labels only, and its column: the challenge id.
    {
      expr: matrixQuery(s),
      exp: [
        [cell('alice', 'web-1'), 1],
        [cell('bob'), 3],
        [cell('carol'), 2],
        [cell('erin'), 1],
        [cell(ODD_USER), 1],
        [cell('a.c'), 1],
        [cell('abc'), 3],
        [cell('judy'), 2],
        [cell('ken'), 2],
        [cell('leo'), 2],
        [cell('mia'), 1],
        [cell('nora'), 1],
      ],
    },
    {
      expr: matrixQuery(s, f({ namespace: ['ctf-2'] })),
      exp: [
        [cell('a.c'), 1],
        [cell('abc'), 3],
      ],
    },
    { expr: userInstancesQuery(s, ODD_USER), exp: [[inst(ODD_USER), 1]] },
    { expr: userInstancesQuery(s, 'a.c'), exp: [[inst('a.c'), 1]] },
    { expr: userInstancesQuery(s, 'alice'), exp: [[inst('alice', 'web-1'), 1]] },
    { expr: userInstancesQuery(s, 'nora'), exp: [[inst('nora'), 1]] },
    { expr: userInstancesQuery(s, 'dave'), exp: [] },

    // Peak concurrent Running instances per user over the hour: alice 2 (600..1470 s); bob, grace, abc never
    // Running; everyone else 1 (dave and nora too: they were Running at some time) (erin's two targets never overlap and count as one instance anyway).
    {
      expr: peakConcurrentByUserQuery(s),
      exp: [
        [byUser('alice'), 2],
        ...['carol', 'dave', 'erin', 'frank', ODD_USER, 'a.c', 'judy', 'ken', 'leo', 'mia', 'nora'].map(
          (u): [Labels, number] => [byUser(u), 1]
        ),
      ],
    },
    { expr: peakConcurrentByUserQuery(s, f({ namespace: ['ctf-2'] })), exp: [[byUser('a.c'), 1]] },
    { expr: topUsersQuery(s, NO_FILTERS, 1), exp: [[byUser('alice'), 2]] },
    {
      expr: peakDistributionQuery(s),
      exp: [
        [{ instances: '2' }, 1],
        [{ instances: '1' }, 11],
      ],
    },

    // Presence of the new operator's additive metrics: present in the input, and a name nothing exports.
    { expr: metricPresenceQuery(INFO_METRIC), exp: [[{}, 1]] },
    { expr: metricPresenceQuery(REQUESTS_METRIC), exp: [[{}, 1]] },
    { expr: metricPresenceQuery('challenge_info_absent'), exp: [[{}, 0]] },

    // Running instances with challenge_info: alice, erin, a.c (web), mia (no category), odd (rev). nora has none.
    {
      expr: instancesByCategoryQuery(s),
      exp: [
        [category('web'), 3],
        [category('uncategorized'), 1],
        [category('rev'), 1],
      ],
    },
    {
      expr: categoryShareQuery(s),
      exp: [
        [category('web'), 0.6],
        [category('uncategorized'), 0.2],
        [category('rev'), 0.2],
      ],
    },
    { expr: instancesByCategoryQuery(s, f({ username: ['a.c'] })), exp: [[category('web'), 1]] },
    // Requests: web-1 = alice 0.5 + erin 0.5 (ctf) + a.c 1.5 (ctf-2's own web-1); rev-1 1; re(v)*2 (rev-2) 0.25.
    {
      expr: requestsByChallengeQuery(s, 'cpu'),
      exp: [
        [byId('web-1'), 2.5],
        [byId('rev-1'), 1],
        [byId(ODD_CHALLENGE), 0.25],
      ],
    },
    {
      expr: requestsByChallengeQuery(s, 'memory'),
      exp: [
        [byId('web-1'), 2 * 268435456 + 100000000],
        [byId('rev-1'), 536870912],
        [byId(ODD_CHALLENGE), 134217728],
      ],
    },
    { expr: requestsByChallengeQuery(s, 'cpu', f({ namespace: ['ctf-2'] })), exp: [[byId('web-1'), 1.5]] },
    {
      expr: requestsByCategoryQuery(s, 'cpu'),
      exp: [
        [category('web'), 2.5],
        [category('uncategorized'), 1],
        [category('rev'), 0.25],
      ],
    },
    {
      expr: requestsByCategoryQuery(s, 'memory'),
      exp: [
        [category('web'), 2 * 268435456 + 100000000],
        [category('uncategorized'), 536870912],
        [category('rev'), 134217728],
      ],
    },

    // Triage at T: Error now bob and abc; stuck deletions judy (since 3030 s), not leo (his new deletion is only
    // 150 s old: the seed listed him, from the previous deletion's samples), not ken (only since 3480 s) and not
    // carol (removed).
    {
      expr: errorInstancesQuery(s),
      exp: [
        [inst('bob'), 3],
        [inst('abc'), 3],
      ],
    },
    { expr: errorInstancesQuery(s, f({ username: ['a.c'] })), exp: [] },
    { expr: errorInstancesQuery(s, f({ namespace: ['ctf'] })), exp: [[inst('bob'), 3]] },
    {
      expr: stuckDeletionsQuery(s),
      exp: [[inst('judy'), 2]],
    },
    // At 3120 s neither had been Deleted for 5 minutes yet (judy since 3030 s, leo since 2730 s → 390 s: leo yes).
    { expr: stuckDeletionsQuery(s), at: '3120s', exp: [[inst('leo'), 2]] },
    { expr: stuckDeletionsQuery(s, f({ username: ['judy'] })), exp: [[inst('judy'), 2]] },
  ];
}

function promtoolFile(s: QuerySettings) {
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

function promtoolTestRules(build: PrometheusBuild, file: object): ToolRun {
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
describe.each(PROMETHEUS_BUILDS)('every query, evaluated by promtool of Prometheus $name', (build) => {
  it('is the promtool of that Prometheus version', () => {
    expect(versionOf(build.promtool)).toMatch(new RegExp(`version ${build.major}\\.`));
  });

  const mappings: Array<[string, QuerySettings]> = [
    ['the operator label names', DEFAULT_SETTINGS],
    [
      'the seed operator label names (challeng_id)',
      { ...DEFAULT_SETTINGS, labels: { ...DEFAULT_LABELS, challengeId: 'challeng_id' } },
    ],
  ];

  it.each(mappings)('gives the exact samples with %s', (_name, settings) => {
    const { status, output } = promtoolTestRules(build, promtoolFile(settings));
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });

  it('fails when a sample differs (the harness can fail)', () => {
    const file = promtoolFile(DEFAULT_SETTINGS);
    file.tests[0].promql_expr_test = [
      {
        expr: substitute(stateCountQuery(DEFAULT_SETTINGS, Running)),
        eval_time: EVAL,
        exp_samples: [{ labels: '{}', value: 5 }],
      },
    ];
    const { status, output } = promtoolTestRules(build, file);
    expect(status).not.toBe(0);
    expect(output).toContain('FAILED');
  });
});

describe.each(PROMETHEUS_BUILDS)('operator not reporting, evaluated by promtool of Prometheus $name', (build) => {
  // Three scrape targets exporting the gauge: op-a goes down at 3000 s (up 0), op-b leaves service discovery at
  // 3000 s (its series end), op-c keeps reporting. A fourth job is down but never exported the gauge.
  const gauge = (job: string, values: string) => ({
    series: `challenge_resource_status{job="${job}", instance="x", namespace="ctf", challenge_id="web-1", challenge_name="web-1-${job}", username="u"}`,
    values,
  });
  const up = (job: string, values: string) => ({ series: `up{job="${job}", instance="x"}`, values });
  const input = [
    up('op-a', '1x99 0x21'),
    gauge('op-a', '1x99 stale'),
    up('op-b', '1x99 stale'),
    gauge('op-b', '1x99 stale'),
    up('op-c', '1x120'),
    gauge('op-c', '1x120'),
    up('unrelated', '0x120'),
  ];
  const silence = operatorSilenceQuery(DEFAULT_SETTINGS, '1h');

  it('names each silent job with the last time it was up, and nothing while all report', () => {
    const file = {
      rule_files: [],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '30s',
          input_series: input,
          promql_expr_test: [
            // Last up sample 2970 s; at the 1 m resolution of the subquery the last step that saw it up is 2940 s.
            {
              expr: silence,
              eval_time: EVAL,
              exp_samples: [
                { labels: '{job="op-a"}', value: 2940 },
                { labels: '{job="op-b"}', value: 2940 },
              ],
            },
            { expr: silence, eval_time: '2400s', exp_samples: [] },
          ],
        },
      ],
    };
    const { status, output } = promtoolTestRules(build, file);
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });
});

describe.each(PROMETHEUS_BUILDS)("the original operator's exposition, evaluated by promtool of Prometheus $name", (build) => {
  // Shaped like the original HexaCTF operator (Go, v0.0.5): `challeng_id`, no challenge_info or requests; it forgets
  // its instances when it restarts (p3's series ends at 3030 s without a Deleted although the instance still runs)
  // and deletes an Errored instance itself (p2: Error 2730..2850 s, Deleted at 2880 s, then gone).
  const legacy = { ...DEFAULT_SETTINGS, labels: { ...DEFAULT_LABELS, challengeId: 'challeng_id' } };
  const gauge = (user: string, values: string) => ({
    series: `challenge_resource_status{job="legacy", instance="x", namespace="ctf", challeng_id="7", challenge_name="c7-${user}", username="${user}"}`,
    values,
  });
  const file = (cases: Array<{ expr: string; at?: string; exp: Array<[string, number]> }>) => ({
    rule_files: [],
    evaluation_interval: '30s',
    tests: [
      {
        interval: '30s',
        input_series: [
          { series: 'up{job="legacy", instance="x"}', values: '1x120' },
          gauge('p1', '1x120'),
          gauge('p2', '1x90 3x4 2x1 stale'),
          gauge('p3', '1x100 stale'),
        ],
        promql_expr_test: cases.map((c) => ({
          expr: substitute(c.expr),
          eval_time: c.at ?? EVAL,
          exp_samples: c.exp.map(([labels, value]) => ({ labels, value })),
        })),
      },
    ],
  });
  const user = (u: string) => `{namespace="ctf", challeng_id="7", challenge_name="c7-${u}", username="${u}"}`;

  it('is recognised, and the pages show what it exports', () => {
    const { status, output } = promtoolTestRules(
      build,
      file([
        // Recognised whatever the settings: the legacy label is there, challenge_info is not.
        { expr: legacyLabelPresenceQuery(DEFAULT_SETTINGS), exp: [['{}', 1]] },
        { expr: legacyLabelPresenceQuery(legacy), exp: [['{}', 1]] },
        { expr: metricPresenceQuery(INFO_METRIC), exp: [['{}', 0]] },
        // At T: p1 Running; p2 Deleted (its self-deletion); p3, forgotten by the restart, is on no page.
        { expr: stateCountQuery(legacy, Running), exp: [['{}', 1]] },
        { expr: stateCountQuery(legacy, Deleted), exp: [['{}', 1]] },
        { expr: stateCountQuery(legacy, ErrorState), exp: [['{}', 0]] },
        { expr: userInstancesQuery(legacy, 'p3'), exp: [] },
        // While p2 was in Error (2820 s), it shows as Error over time and in Triage.
        { expr: stateCountOverTimeQuery(legacy, ErrorState), at: '2820s', exp: [['{}', 1]] },
        { expr: errorInstancesQuery(legacy), at: '2820s', exp: [[user('p2'), 3]] },
        // The operator keeps reporting (up): no banner.
        { expr: operatorSilenceQuery(legacy, '1h'), exp: [] },
      ])
    );
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });

  it('is not taken for the original when the gauge uses challenge_id', () => {
    const { status, output } = promtoolTestRules(build, {
      ...file([]),
      tests: [
        {
          interval: '30s',
          input_series: [{ series: 'challenge_resource_status{challenge_id="7", username="u"}', values: '1x120' }],
          promql_expr_test: [
            {
              expr: substitute(legacyLabelPresenceQuery(DEFAULT_SETTINGS)),
              eval_time: EVAL,
              exp_samples: [{ labels: '{}', value: 0 }],
            },
          ],
        },
      ],
    });
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });
});

describe.each(PROMETHEUS_BUILDS)('stuck deletions across a restart and a re-creation, evaluated by promtool of Prometheus $name', (build) => {
  // Job op-1 restarts: none of its series has samples 3330..3420 s. quinn has been Deleted since 2430 s across it.
  // Job op-2 keeps reporting: rex was deleted (Deleted 3030..3090 s, then removed), re-created under the same labels
  // and deleted again at 3420 s; steady runs throughout.
  const series = (job: string, user: string, values: string) => ({
    series: `challenge_resource_status{job="${job}", instance="x", namespace="ctf", challenge_id="web-1", challenge_name="web-1-${user}", username="${user}"}`,
    values,
  });
  const stuck = (at: string, exp: string[]) => ({
    expr: stuckDeletionsQuery(DEFAULT_SETTINGS),
    eval_time: at,
    exp_samples: exp.map((user) => ({
      labels: `{namespace="ctf", challenge_id="web-1", challenge_name="web-1-${user}", username="${user}"}`,
      value: 2,
    })),
  });

  it('lists the deletion stuck across its operator restart, not the one re-created and deleted again', () => {
    const { status, output } = promtoolTestRules(build, {
      rule_files: [],
      evaluation_interval: '30s',
      tests: [
        {
          interval: '30s',
          input_series: [
            series('op-1', 'other', '1x110 stale _x3 1x25'),
            series('op-1', 'quinn', '1x80 2x29 stale _x3 2x25'),
            series('op-2', 'steady', '1x140'),
            series('op-2', 'rex', '1x100 2x2 _x10 2x26'),
          ],
          promql_expr_test: [
            // At T, 180 s after rex's second deletion (the seed listed him: its offset look-up found the first one).
            stuck(EVAL, ['quinn']),
            // At 3900 s rex's second deletion is 8 minutes old: stuck too.
            stuck('65m', ['quinn', 'rex']),
          ],
        },
      ],
    });
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });
});

describe.each(PROMETHEUS_BUILDS)('requests of a definition deleted while its instance runs, evaluated by promtool of Prometheus $name', (build) => {
  // pat runs an instance of web-9 and one of pwn-9 throughout. web-9's definition is deleted at 2400 s: the operator
  // stops exporting its requests and renders pat's challenge_info again without a category (the definition held it).
  const labels = (id: string) => `namespace="ctf", challenge_id="${id}", challenge_name="${id}-pat", username="pat"`;
  const target = 'job="op", instance="x"';
  const requests = (definition: string, category: string, cpu: string, memory: string) => [
    { series: `challenge_definition_requests{${target}, namespace="ctf", definition="${definition}", category="${category}", resource="cpu"}`, values: cpu },
    { series: `challenge_definition_requests{${target}, namespace="ctf", definition="${definition}", category="${category}", resource="memory"}`, values: memory },
  ];
  const input = [
    { series: `challenge_resource_status{${target}, ${labels('web-9')}}`, values: '1x120' },
    { series: `challenge_resource_status{${target}, ${labels('pwn-9')}}`, values: '1x120' },
    { series: `challenge_info{${target}, ${labels('web-9')}, definition="web-9", category="web"}`, values: '1x79 stale' },
    { series: `challenge_info{${target}, ${labels('web-9')}, definition="web-9"}`, values: '_x80 1x40' },
    { series: `challenge_info{${target}, ${labels('pwn-9')}, definition="pwn-9", category="pwn"}`, values: '1x120' },
    ...requests('web-9', 'web', '0.5x79 stale', '1000x79 stale'),
    ...requests('pwn-9', 'pwn', '2x120', '3000x120'),
  ];
  const s = DEFAULT_SETTINGS;
  const expr = (q: string, at: string, exp: Array<[string, number]>) => ({
    expr: substitute(q),
    eval_time: at,
    exp_samples: exp.map(([l, value]) => ({ labels: l, value })),
  });

  it('counts its requests while the definition exports them, then no longer (they are unknown); the instance stays, uncategorized', () => {
    const { status, output } = promtoolTestRules(build, {
      rule_files: [],
      evaluation_interval: '30s',
      tests: [
        {
          interval: '30s',
          input_series: input,
          promql_expr_test: [
            // At 2100 s, before the deletion.
            expr(requestsByChallengeQuery(s, 'cpu'), '2100s', [['{challenge_id="web-9"}', 0.5], ['{challenge_id="pwn-9"}', 2]]),
            expr(requestsByCategoryQuery(s, 'memory'), '2100s', [['{category="web"}', 1000], ['{category="pwn"}', 3000]]),
            expr(instancesByCategoryQuery(s), '2100s', [['{category="web"}', 1], ['{category="pwn"}', 1]]),
            // At T, 20 minutes after it, within the 30 m window: web-9's requests are gone although its last
            // sample (2370 s) is in the window; pat's web-9 instance is still Running, now uncategorized.
            expr(requestsByChallengeQuery(s, 'cpu'), EVAL, [['{challenge_id="pwn-9"}', 2]]),
            expr(requestsByCategoryQuery(s, 'memory'), EVAL, [['{category="pwn"}', 3000]]),
            expr(instancesByCategoryQuery(s), EVAL, [['{category="uncategorized"}', 1], ['{category="pwn"}', 1]]),
          ],
        },
      ],
    });
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });
});

describe.each(PROMETHEUS_BUILDS)('the matrix with several namespaces, evaluated by promtool of Prometheus $name', (build) => {
  // The same user and challenge id in two namespaces: two instances, two cells.
  const series = (ns: string, value: string) => ({
    series: `challenge_resource_status{job="op", instance="x", namespace="${ns}", challenge_id="web-1", challenge_name="web-1-alice", username="alice"}`,
    values: value,
  });
  const cell = (ns: string, column: string) =>
    `{namespace="${ns}", challenge_id="web-1", challenge_name="web-1-alice", username="alice", ${MATRIX_COLUMN_LABEL}="${column}"}`;

  it('names a column per challenge and namespace when several are shown, per challenge otherwise', () => {
    const { status, output } = promtoolTestRules(build, {
      rule_files: [],
      evaluation_interval: '30s',
      tests: [
        {
          interval: '30s',
          input_series: [series('ctf', '1x120'), series('ctf-2', '3x120')],
          promql_expr_test: [
            {
              expr: substitute(matrixQuery(DEFAULT_SETTINGS, NO_FILTERS, '30m', true)),
              eval_time: EVAL,
              exp_samples: [
                { labels: cell('ctf', 'web-1 @ ctf'), value: 1 },
                { labels: cell('ctf-2', 'web-1 @ ctf-2'), value: 3 },
              ],
            },
            {
              expr: substitute(matrixQuery(DEFAULT_SETTINGS, { namespace: ['ctf-2'] }, '30m')),
              eval_time: EVAL,
              exp_samples: [{ labels: cell('ctf-2', 'web-1'), value: 3 }],
            },
          ],
        },
      ],
    });
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });
});
