// The Lifecycle page in the path test (path.jest.ts): its figures computed from an operator pod's own exposition,
// what the page shows for a range, where the exposition disagrees with what the cluster did, and the per-minute
// panels' phases.
import { instantQuery } from '@hexactf/testing/prom-api';

import {
  LIFECYCLE_QUANTILES,
  lifetimeDistributionQuery,
  lifetimeQuantileQuery,
  timeToRunningByDefinitionQuery,
  transitionsPerMinuteQuery,
  type TransitionKind,
} from '../../src/queries/lifecycle';
import { type ResolvedSettings } from '../../src/settings/settings';
import type { Checkpoint, LifecycleTruth } from './checkpoints';
import { addBuckets, bucketsOf, histogramQuantile, type Buckets } from './histogram-quantile';
import type { HistogramBuckets, LifecycleExposition } from './lifecycle-exposition';
import { RATE_INTERVAL, cluster, round } from './cluster-run';

// The Lifecycle page. Its histogram and counter figures are increases and rates, which Prometheus extrapolates; they
// are exact where every series in the range started at 0 at the same scrapes (the operator creates them at 0 before
// any observation), so the extrapolation scales every bucket of a series alike and quantiles and shares are exact.
// That holds over one operator pod's life (PodLifecycle.since to the checkpoint): the page's range is set so.

export const TRANSITION_KINDS: readonly TransitionKind[] = ['opened', 'failed', 'deleted'];

/** The page's variables for a page whose time range runs from `since` to `at`. */
function interpolateFrom(query: string, at: number, since: number): string {
  return query.replaceAll('$__range', `${Math.ceil(at - since)}s`).replaceAll('$__rate_interval', RATE_INTERVAL);
}

/** An `le` label value as a number (Prometheus 3 writes 1 as "1.0"; both write "+Inf"). */
const leOf = (le: string) => (le === '+Inf' ? Infinity : Number(le));
const toBuckets = (h: Record<string, number>): Buckets =>
  new Map(Object.entries(h).map(([le, c]) => [leOf(le), c]));

/** A histogram's series summed by group (what `sum by (<group>, le)` does). */
function sumBy(h: HistogramBuckets, group: (key: string) => string): Record<string, Buckets> {
  const out: Record<string, Buckets> = {};
  for (const [key, buckets] of Object.entries(h)) {
    const g = group(key);
    out[g] = addBuckets(out[g] ?? new Map(), toBuckets(buckets));
  }
  return out;
}

/** The raw counter each per-minute panel reads: `sum(<its selector>)`, taken from the panel's own query. */
function rawCountQuery(s: ResolvedSettings, kind: TransitionKind): string {
  const m = /rate\((.+)\[\$__rate_interval\]\)/.exec(transitionsPerMinuteQuery(s, kind));
  return `sum(${m![1]})`;
}

/** The Lifecycle page's figures, computed from an operator pod's own exposition. */
export function expectedLifecycle(e: LifecycleExposition) {
  const definitionOf = (key: string) => key.split('/')[1];
  const ttr = sumBy(e.timeToRunning, definitionOf);
  const life = sumBy(e.lifetime, () => '')[''];
  const ended = life.get(Infinity)!;
  const transitions = (pred: (t: LifecycleExposition['transitions'][number]) => boolean) =>
    e.transitions.filter(pred).reduce((acc, t) => acc + t.value, 0);
  return {
    timeToRunning: Object.fromEntries(
      LIFECYCLE_QUANTILES.map((q) => [
        q,
        Object.fromEntries(Object.entries(ttr).map(([d, b]) => [d, round(histogramQuantile(q, b))])),
      ])
    ),
    lifetime: Object.fromEntries(LIFECYCLE_QUANTILES.map((q) => [q, round(histogramQuantile(q, life))])),
    lifetimeShare: ended > 0 ? Object.fromEntries([...life].map(([le, c]) => [String(le), round(c / ended)])) : {},
    counts: {
      opened: transitions((t) => t.from === 'None'),
      failed: transitions((t) => t.to === 'Error'),
      deleted: ended,
    },
  };
}

/** What the Lifecycle page shows for a range from `since` to `at`. */
export async function lifecycleShown(url: string, s: ResolvedSettings, at: number, since: number) {
  const vector = async (q: string) => {
    const data = await instantQuery(url, interpolateFrom(q, at, since), at);
    return data.resultType === 'vector' ? data.result : [];
  };
  const timeToRunning: Record<string, Record<string, number>> = {};
  const lifetime: Record<string, number> = {};
  for (const q of LIFECYCLE_QUANTILES) {
    timeToRunning[q] = Object.fromEntries(
      (await vector(timeToRunningByDefinitionQuery(s, q))).map((r) => [r.metric.definition, round(Number(r.value[1]))])
    );
    lifetime[q] = (await vector(lifetimeQuantileQuery(s, q))).map((r) => round(Number(r.value[1])))[0];
  }
  const counts: Record<string, number> = {};
  for (const kind of TRANSITION_KINDS) {
    counts[kind] = (await vector(rawCountQuery(s, kind))).map((r) => Number(r.value[1]))[0];
  }
  return {
    timeToRunning,
    lifetime,
    lifetimeShare: Object.fromEntries(
      (await vector(lifetimeDistributionQuery(s))).map((r) => [String(leOf(r.metric.le)), round(Number(r.value[1]))])
    ),
    counts,
  };
}

/** Where the pod's exposition disagrees with the cluster's truth (empty when it counts what happened). */
export function exposedAgainstTruth(e: LifecycleExposition, t: LifecycleTruth): string[] {
  const wrong: string[] = [];
  for (const [key, buckets] of Object.entries(e.timeToRunning)) {
    const bounds = Object.keys(buckets)
      .map(Number)
      .filter((le) => le !== Infinity);
    const want = bucketsOf(bounds, t.timeToRunning[key] ?? []);
    for (const [le, count] of toBuckets(buckets)) {
      if (want.get(le) !== count) {
        wrong.push(`time to Running ${key} le=${le}: ${count}, the statuses say ${want.get(le)}`);
      }
    }
  }
  for (const [key, buckets] of Object.entries(e.lifetime)) {
    const spans = t.lifetimes[key] ?? [];
    for (const [le, count] of toBuckets(buckets)) {
      const least = spans.filter(([, hi]) => hi <= le).length;
      const most = spans.filter(([lo]) => lo <= le).length;
      if (count < least || count > most) {
        wrong.push(`lifetime ${key} le=${le}: ${count}, the deletions say ${least}..${most}`);
      }
    }
  }
  const e2 = expectedLifecycle(e).counts;
  const deleted = Object.values(t.lifetimes).reduce((acc, l) => acc + l.length, 0);
  if (e2.opened !== t.opened || e2.failed !== t.failed || e2.deleted !== deleted) {
    wrong.push(
      `counted ${JSON.stringify(e2)}, the cluster did ${JSON.stringify({ opened: t.opened, failed: t.failed, deleted })}`
    );
  }
  return wrong;
}

const eventsOf = (t: LifecycleTruth): Record<TransitionKind, number> => ({
  opened: t.opened,
  failed: t.failed,
  deleted: Object.values(t.lifetimes).reduce((acc, l) => acc + l.length, 0),
});

/** The steps with lifecycle figures, each with its time span and the events of each kind the cluster had in it. */
export const transitionPhases = () =>
  cluster.checkpoints
    .filter((cp) => cp.lifecycle)
    .map((cp, i, all) => {
      const prev = all[i - 1]?.lifecycle;
      const now = eventsOf(cp.lifecycle!.truth);
      // A new pod counts from 0 again: its events are all after the previous checkpoint.
      const before =
        prev && prev.since === cp.lifecycle!.since ? eventsOf(prev.truth) : { opened: 0, failed: 0, deleted: 0 };
      return {
        step: cp.step,
        from: i === 0 ? cluster.startTime : all[i - 1].at,
        to: cp.at,
        events: Object.fromEntries(TRANSITION_KINDS.map((k) => [k, now[k] - before[k]])) as Record<
          TransitionKind,
          number
        >,
      };
    });

/**
 * Over the whole run (the page's usual range, across the restart) each figure mixes both pods' observations, each
 * pod's extrapolated by its own factor: it lies between the two pods' own figures (is one's when the other has none).
 * Returns the figures outside on each server, and how many definitions had waits in both pods (a real mixture).
 */
export async function outsideThePods(
  servers: ReadonlyArray<readonly [string, ResolvedSettings]>,
  withLifecycle: Checkpoint[]
): Promise<{ outside: string[]; mixed: number }> {
  const last = withLifecycle[withLifecycle.length - 1];
  const pods = [withLifecycle[0], last].map((cp) => expectedLifecycle(cp.lifecycle!.exposition));
  const outside: string[] = [];
  const between = (what: string, v: number | undefined, a: number | undefined, b: number | undefined) => {
    const known = [a, b].filter((x): x is number => x !== undefined && !Number.isNaN(x));
    const ok =
      known.length === 0
        ? v === undefined || Number.isNaN(v)
        : v !== undefined && v >= Math.min(...known) && v <= Math.max(...known);
    if (!ok) {
      outside.push(`${what}: ${v}, the pods ${a} and ${b}`);
    }
  };
  let mixed = 0;
  for (const [url, s] of servers) {
    const whole = await lifecycleShown(url, s, last.at, cluster.startTime - 60);
    for (const q of LIFECYCLE_QUANTILES) {
      for (const d of Object.keys(pods[0].timeToRunning[q])) {
        between(
          `time to Running p${q * 100} ${d}`,
          whole.timeToRunning[q][d],
          pods[0].timeToRunning[q][d],
          pods[1].timeToRunning[q][d]
        );
        mixed += Number(pods.every((p) => !Number.isNaN(p.timeToRunning[q][d])));
      }
      between(`lifetime p${q * 100}`, whole.lifetime[q], pods[0].lifetime[q], pods[1].lifetime[q]);
    }
    for (const le of Object.keys(pods[1].lifetimeShare)) {
      between(`lifetime share le=${le}`, whole.lifetimeShare[le], pods[0].lifetimeShare[le], pods[1].lifetimeShare[le]);
    }
  }
  return { outside, mixed };
}
