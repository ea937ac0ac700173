// Each user's line under --max-per-user, kept up to date from the Challenge cache's events: how many hold a slot,
// and who waits in which order. quota.ts says what the answers are (quotaAhead, oldestWaiting); this gives the same
// answers without a scan of the user's whole pile, which at 20,000 Challenges of one user blocked the event loop
// for tens of milliseconds per reconcile or event. Only keys and creation times are kept: the cache holds the objects.
import { objectKey, timeMs, type Challenge } from '../api/types.ts';
import { quotaUser, slotPlace, type SlotView } from './quota.ts';

interface Waiting {
  /** creationTimestamp in ms, then namespace/name: quota.ts's compareAge. */
  ms: number;
  key: string;
}

interface Line {
  /** Live Challenges whose cached state holds a slot. */
  holders: Set<string>;
  /** Live Challenges holding no slot, oldest first. */
  waiting: Waiting[];
}

/** Recent admissions the cache may not show yet (admission.ts): their keys, and whether one still counts. */
interface AdmissionView {
  keys(): Iterable<string>;
  holds: SlotView;
}

function before(a: Waiting, b: Waiting): boolean {
  return a.ms !== b.ms ? a.ms < b.ms : a.key < b.key;
}

/** Index of the first entry not before `w` (where `w` is, or would go). */
function position(waiting: Waiting[], w: Waiting): number {
  let lo = 0;
  let hi = waiting.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(waiting[mid], w)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

export class QuotaLines {
  private readonly lines = new Map<string, Line>();
  private readonly get: (key: string) => Challenge | undefined;

  /** `get`: the Challenge cache's lookup by namespace/name. */
  constructor(get: (key: string) => Challenge | undefined) {
    this.get = get;
  }

  /** A cache event: `old` left its place (undefined for an add), `now` took its place (undefined for a delete). */
  observe(old: Challenge | undefined, now: Challenge | undefined): void {
    if (old && now && quotaUser(old) === quotaUser(now) && slotPlace(old) === slotPlace(now)) {
      return;
    } // nothing moved
    if (old) {
      this.leave(old);
    }
    if (now) {
      this.join(now);
    }
  }

  /** quotaAhead(ch, the user's Challenges, holds, limit). */
  ahead(ch: Challenge, admission: AdmissionView, limit = Infinity): number {
    const user = quotaUser(ch);
    const line = user === undefined ? undefined : this.lines.get(user);
    if (!line) {
      return 0;
    }
    const me = entryOf(ch);
    let ahead = line.holders.size - (line.holders.has(me.key) ? 1 : 0);
    const at = position(line.waiting, me);
    ahead += at; // every waiting one older than ch
    // Younger waiting ones that an admission already counts as holding a slot.
    for (const key of admission.keys()) {
      if (ahead >= limit) {
        break;
      }
      if (key === me.key) {
        continue;
      }
      const c = this.get(key);
      if (!c || quotaUser(c) !== user || slotPlace(c) !== 'waits' || !admission.holds(c)) {
        continue;
      }
      if (before(me, entryOf(c))) {
        ahead++;
      }
    }
    return Math.min(ahead, limit);
  }

  /** oldestWaiting(the user's Challenges, holds): the first in line that no admission already took out of it. */
  first(user: string, holds: SlotView): Challenge | undefined {
    for (const w of this.lines.get(user)?.waiting ?? []) {
      const c = this.get(w.key);
      if (c && !holds(c)) {
        return c;
      }
    }
    return undefined;
  }

  private join(c: Challenge): void {
    const user = quotaUser(c);
    const p = slotPlace(c);
    if (user === undefined || p === 'leaving') {
      return;
    }
    let line = this.lines.get(user);
    if (!line) {
      this.lines.set(user, (line = { holders: new Set(), waiting: [] }));
    }
    if (p === 'holds') {
      line.holders.add(objectKey(c));
      return;
    }
    const w = entryOf(c);
    const at = position(line.waiting, w);
    if (line.waiting[at]?.key !== w.key) {
      line.waiting.splice(at, 0, w);
    }
  }

  private leave(c: Challenge): void {
    const user = quotaUser(c);
    const line = user === undefined ? undefined : this.lines.get(user);
    if (!line) {
      return;
    }
    const w = entryOf(c);
    line.holders.delete(w.key);
    const at = position(line.waiting, w);
    if (line.waiting[at]?.key === w.key) {
      line.waiting.splice(at, 1);
    }
    if (!line.holders.size && !line.waiting.length) {
      this.lines.delete(user!);
    }
  }
}

function entryOf(c: Challenge): Waiting {
  return { ms: timeMs(c.metadata.creationTimestamp) ?? 0, key: objectKey(c) };
}
