// Deleted Challenges, kept exported as Deleted (value 2) for the retention window after they leave the cache
// (--deleted-series-retention), and kept across restarts by the series keeper.
import type { Clock } from '../clock.ts';
import { deletedStatusLine, statusLabels } from './challenge-families.ts';
import type { SeriesIdentity, StoredTombstone } from './series-state.ts';

interface Tombstone {
  id: SeriesIdentity;
  labels: string; // rendered label set
  deletedAt: number;
}

const keyOf = (id: SeriesIdentity) => (id.namespace ? `${id.namespace}/${id.name}` : id.name);

export class Tombstones {
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private readonly byKey = new Map<string, Tombstone>();

  constructor(clock: Clock, retentionMs: number) {
    this.clock = clock;
    this.retentionMs = retentionMs;
  }

  add(id: SeriesIdentity, deletedAt: number): void {
    const { namespace, name, challengeId, user } = id;
    const identity = { namespace, name, challengeId, user };
    this.byKey.set(keyOf(identity), { id: identity, labels: statusLabels(identity), deletedAt });
    if (this.byKey.size % 1024 === 0) {
      this.prune(this.clock.now());
    }
  }

  /**
   * A tombstone from before a restart (deletedAt: when it was deleted, or when the deletion was found). One already
   * known is kept as is; one whose retention has passed, or whose Challenge exists again, is not exported.
   */
  restore(t: StoredTombstone): void {
    if (!this.byKey.has(keyOf(t))) {
      this.add(t, t.deletedAt);
    }
  }

  /** The tombstones still within the retention. */
  list(): StoredTombstone[] {
    this.prune(this.clock.now());
    return [...this.byKey.values()].map((t) => ({ ...t.id, deletedAt: t.deletedAt }));
  }

  count(): number {
    return this.byKey.size;
  }

  prune(now: number): void {
    for (const [k, t] of this.byKey) {
      if (now - t.deletedAt >= this.retentionMs) {
        this.byKey.delete(k);
      }
    }
  }

  /** The Deleted status lines of the tombstones whose Challenge is not cached (again). */
  lines(cached: (key: string) => boolean): string {
    let text = '';
    for (const [key, t] of this.byKey) {
      if (!cached(key)) {
        text += deletedStatusLine(t.labels);
      }
    }
    return text;
  }
}
