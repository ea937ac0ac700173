/*
 * The series every page's promtool test evaluates its queries on (the harness that runs them is promtool.fixture.ts).
 * The series cover: running, error, deleted-then-removed, a series that vanishes while Running, an operator restart
 * (a scrape gap, and a restart that changes the target's `instance` label), both sides of the window boundary, and
 * odd label values (quotes, backslash, Unicode, regex characters, text that looks like Grafana variables).
 *
 * The expected samples in the page tests are worked out by hand from the series (see the comments on each one),
 * never copied from promtool's output.
 */
import type { LabelNames } from '../metric/contract';

// Concrete values for the Grafana variables, as scenes would interpolate them.
// $__interval: the fixture's scrape and evaluation interval (30 s), what a step-less subquery took before.
export const VARIABLES: Record<string, string> = {
  $window: '30m',
  $__range: '1h',
  $__rate_interval: '2m',
  $__interval: '30s',
};
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

// --- series in promtool notation ---------------------------------------------------------------------------------

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
