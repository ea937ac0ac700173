// The per-user cap (--max-per-user): who holds a slot, who waits, and where a waiting Challenge stands.
import { objectKey, timeMs, type Challenge } from '../api/types.ts';
import { COND_READY, RECOVERABLE_REASONS, getCondition } from './status.ts';

/** Holds a slot: started or starting, or kept in an Error that does not heal by itself. */
export function holdsSlot(c: Challenge): boolean {
  const s = c.status?.currentStatus?.state;
  if (s === 'Pending' || s === 'Running') return true;
  return s === 'Error' && !RECOVERABLE_REASONS.has(getCondition(c.status, COND_READY)?.reason ?? '');
}

/**
 * Creation time and key of a cached Challenge, worked out once per cached object (the informer replaces the object
 * on every change, and neither field ever changes): a user's line is scanned often, and Date.parse per comparison
 * made a scan of 20,000 take tens of milliseconds.
 */
const ages = new WeakMap<Challenge, { ms: number; key: string }>();
function ageOf(c: Challenge): { ms: number; key: string } {
  let age = ages.get(c);
  if (!age) ages.set(c, (age = { ms: timeMs(c.metadata.creationTimestamp) ?? 0, key: objectKey(c) }));
  return age;
}

/** Waiting instances are admitted oldest first (creationTimestamp, then namespace/name). */
export function compareAge(a: Challenge, b: Challenge): number {
  const x = ageOf(a);
  const y = ageOf(b);
  if (x.ms !== y.ms) return x.ms - y.ms;
  return x.key < y.key ? -1 : x.key > y.key ? 1 : 0;
}

/** `holds` says whether a Challenge holds a slot; it may know of admissions the cache has not shown yet. */
export type SlotView = (c: Challenge) => boolean;

/**
 * How many of the user's live instances count before `ch`: every other one holding a slot, plus the waiting
 * ones older than `ch`. `userChallenges` is every Challenge of that user (any namespace). The count stops at
 * `limit`: the cap is all that is compared with it, and in a long line the ones ahead are found early.
 */
export function quotaAhead(ch: Challenge, userChallenges: Iterable<Challenge>, holds: SlotView = holdsSlot, limit = Infinity): number {
  const key = ageOf(ch).key;
  let ahead = 0;
  for (const c of userChallenges) {
    if (c.metadata.deletionTimestamp || ageOf(c).key === key) continue;
    if (holds(c) || compareAge(c, ch) < 0) {
      if (++ahead >= limit) break;
    }
  }
  return ahead;
}

/** The live instance first in line for a slot, if any waits. */
export function oldestWaiting(userChallenges: Iterable<Challenge>, holds: SlotView = holdsSlot): Challenge | undefined {
  let first: Challenge | undefined;
  for (const c of userChallenges) {
    if (c.metadata.deletionTimestamp || holds(c)) continue;
    if (!first || compareAge(c, first) < 0) first = c;
  }
  return first;
}
