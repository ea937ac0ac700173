// Admission under --max-per-user, safe against concurrent workers. Two waiting Challenges of one user reconciled
// at once could both see a free slot: the cache shows an admission only after its status write comes back
// through the watch. So admissions of one user run one at a time, and each admission is remembered here until
// the cache shows it (or the Challenge is deleted), so the next admission of that user counts it.
import { objectKey, type Challenge } from '../api/types.ts';
import type { Clock } from '../clock.ts';
import { holdsSlot } from './quota.ts';

/** An admission the cache has not shown after this long is forgotten (the watch is far behind or relisted). */
const REMEMBER_MS = 60_000;

export class Admission {
  private readonly clock: Clock;
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly admitted = new Map<string, number>(); // Challenge key -> when admitted

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Runs fn after every earlier call for the same user has finished. */
  async serialise<T>(user: string, fn: () => Promise<T>): Promise<T> {
    const before = this.queues.get(user) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.queues.set(user, tail);
    try {
      return await run;
    } finally {
      if (this.queues.get(user) === tail) this.queues.delete(user);
    }
  }

  /** The Challenge took a slot (its children are about to be created); counts until the cache shows it. */
  admit(ch: Challenge): void {
    this.admitted.set(objectKey(ch), this.clock.now());
  }

  /** A cache event: once the cache shows the slot taken, or the Challenge deleted, the note is not needed. */
  observe(ch: Challenge, gone = false): void {
    if (gone || ch.metadata.deletionTimestamp || holdsSlot(ch)) this.admitted.delete(objectKey(ch));
  }

  /** Holds a slot, as the cache shows it or as admitted here moments ago. */
  readonly holds = (c: Challenge): boolean => {
    if (holdsSlot(c)) return true;
    const at = this.admitted.get(objectKey(c));
    if (at === undefined) return false;
    if (this.clock.now() - at < REMEMBER_MS) return true;
    this.admitted.delete(objectKey(c));
    return false;
  };
}
