// The per-user cap (--max-per-user): who holds a slot, who waits, and where a waiting Challenge stands, defined by
// a scan of the user's Challenges. The controller asks quota-line.ts, which keeps the same answers incrementally.
import { LABEL_USER, objectKey, timeMs, type Challenge } from '../api/types.ts';
import { COND_READY, RECOVERABLE_REASONS, getCondition } from './status.ts';

/** Holds a slot: started or starting, or kept in an Error that does not heal by itself. */
export function holdsSlot(c: Challenge): boolean {
  const s = c.status?.currentStatus?.state;
  if (s === 'Pending' || s === 'Running') {
    return true;
  }
  return s === 'Error' && !RECOVERABLE_REASONS.has(getCondition(c.status, COND_READY)?.reason ?? '');
}

/** The user whose cap a Challenge counts against (none without the label, or with it empty). */
export function quotaUser(c: Challenge): string | undefined {
  return c.metadata.labels?.[LABEL_USER] || undefined;
}

/** Where a Challenge stands in its user's line: leaving it, holding a slot, or waiting for one. */
export function slotPlace(c: Challenge): 'leaving' | 'holds' | 'waits' {
  return c.metadata.deletionTimestamp ? 'leaving' : holdsSlot(c) ? 'holds' : 'waits';
}

/** Waiting instances are admitted oldest first (creationTimestamp, then namespace/name). */
export function compareAge(a: Challenge, b: Challenge): number {
  const byTime = (timeMs(a.metadata.creationTimestamp) ?? 0) - (timeMs(b.metadata.creationTimestamp) ?? 0);
  if (byTime) {
    return byTime;
  }
  const ka = objectKey(a);
  const kb = objectKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** `holds` says whether a Challenge holds a slot; it may know of admissions the cache has not shown yet. */
export type SlotView = (c: Challenge) => boolean;

/**
 * How many of the user's live instances count before `ch`: every other one holding a slot, plus the waiting
 * ones older than `ch`. `userChallenges` is every Challenge of that user (any namespace).
 */
export function quotaAhead(ch: Challenge, userChallenges: Iterable<Challenge>, holds: SlotView = holdsSlot): number {
  const key = objectKey(ch);
  let ahead = 0;
  for (const c of userChallenges) {
    if (c.metadata.deletionTimestamp || objectKey(c) === key) {
      continue;
    }
    if (holds(c) || compareAge(c, ch) < 0) {
      ahead++;
    }
  }
  return ahead;
}

/** The live instance first in line for a slot, if any waits. */
export function oldestWaiting(userChallenges: Iterable<Challenge>, holds: SlotView = holdsSlot): Challenge | undefined {
  let first: Challenge | undefined;
  for (const c of userChallenges) {
    if (c.metadata.deletionTimestamp || holds(c)) {
      continue;
    }
    if (!first || compareAge(c, first) < 0) {
      first = c;
    }
  }
  return first;
}
