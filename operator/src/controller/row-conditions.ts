// What the state table's rows read from the facts: the Challenge's state, its clocks (TTL, quota wait, Pending
// spell) and what it lacks. Pure functions of Facts.
import { timeMs } from '../api/types.ts';
import { identity } from './children.ts';
import type { ChildrenFacts, Facts } from './facts.ts';
import { COND_READY, getCondition } from './status.ts';

export const state = (f: Facts) => f.challenge.status?.currentStatus?.state;
export const deleting = (f: Facts) => Boolean(f.challenge.metadata.deletionTimestamp);
export const readyReason = (f: Facts) => getCondition(f.challenge.status, COND_READY)?.reason ?? '';
export const isoOf = (f: Facts) => new Date(f.now).toISOString();
export const gen = (f: Facts) => f.challenge.metadata.generation;
export const admitted = (f: Facts) => state(f) === 'Pending' || state(f) === 'Running';

export function missingLabels(f: Facts): string[] {
  const { challengeId, user } = identity(f.challenge);
  return [!challengeId && 'apps.hexactf.io/challengeId', !user && 'apps.hexactf.io/user'].filter((x): x is string =>
    Boolean(x)
  );
}

/** isOne as the definition says, or as last recorded when the definition is gone. */
export function isOne(f: Facts): boolean {
  return f.definition ? (f.definition.spec.isOne ?? false) : (f.challenge.status?.isOne ?? false);
}

/** Milliseconds until the TTL deletes a Running instance; undefined when no TTL applies. */
export function ttlLeftMs(f: Facts): number | undefined {
  if (!f.options.challengeTtlMs || isOne(f)) {
    return undefined;
  }
  const started = timeMs(f.challenge.status?.startedAt);
  return started === undefined ? undefined : started + f.options.challengeTtlMs - f.now;
}

/** Milliseconds left before a waiting Challenge is given up; undefined when waiting has no limit. */
export function quotaWaitLeftMs(f: Facts): number | undefined {
  const created = timeMs(f.challenge.metadata.creationTimestamp);
  if (!f.options.quotaWaitTimeoutMs || created === undefined) {
    return undefined;
  }
  return created + f.options.quotaWaitTimeoutMs - f.now;
}

/** Start of the current Pending spell: kept while Pending, restarted on entering Pending. */
export function pendingSinceMs(f: Facts): number {
  return state(f) === 'Pending' ? (timeMs(f.challenge.status?.pendingSince) ?? f.now) : f.now;
}

export const pendingTimedOut = (f: Facts) =>
  f.options.pendingTimeoutMs > 0 && f.now - pendingSinceMs(f) >= f.options.pendingTimeoutMs;

export function waitingFor(c: ChildrenFacts): string {
  return [...c.unavailable, ...(c.retrying ? [c.retrying] : [])].join('; ');
}
