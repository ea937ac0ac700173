// Admission under --max-per-user, safe against concurrent workers. Two waiting Challenges of one user reconciled
// at once could both see a free slot: the cache shows an admission only after its status write comes back through
// the watch. So each admission is noted here the moment it is decided, in the same turn of the event loop as the
// quota check (no await between them: checks and notes of one user cannot interleave), and counts as a held slot
// until the cache shows it or the Challenge is deleted. No lock: reconciles of other Challenges never wait.
import { objectKey, type Challenge } from '../api/types.ts';
import type { Clock } from '../clock.ts';
import { holdsSlot } from './quota.ts';

/** An admission the cache has not shown after this long is forgotten (the watch is far behind or relisted). */
const REMEMBER_MS = 60_000;

export class Admission {
  private readonly clock: Clock;
  private readonly admitted = new Map<string, number>(); // Challenge key -> when admitted

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** The Challenge took a slot (its children are about to be created); counts until the cache shows it. */
  admit(ch: Challenge): void {
    this.admitted.set(objectKey(ch), this.clock.now());
  }

  /** A cache event: once the cache shows the slot taken, or the Challenge deleted, the note is not needed. */
  observe(ch: Challenge, gone = false): void {
    if (gone || ch.metadata.deletionTimestamp || holdsSlot(ch)) {
      this.admitted.delete(objectKey(ch));
    }
  }

  /** Challenges admitted here that the cache may not show yet (some may have expired; holds() says). */
  keys(): IterableIterator<string> {
    return this.admitted.keys();
  }

  /** Holds a slot, as the cache shows it or as admitted here moments ago. */
  readonly holds = (c: Challenge): boolean => {
    if (holdsSlot(c)) {
      return true;
    }
    if (this.admitted.size === 0) {
      return false;
    } // the common case in a scan of a long line: no key to build
    const at = this.admitted.get(objectKey(c));
    if (at === undefined) {
      return false;
    }
    if (this.clock.now() - at < REMEMBER_MS) {
      return true;
    }
    this.admitted.delete(objectKey(c));
    return false;
  };
}
