// Keeps the collector's tombstones and the live set in a SeriesStateStore while this replica leads (only the leader
// exports the Challenge series), and restores them when it starts leading, before its first scrape with Challenge
// series is served. See series-state.ts for what is stored and why.
import { setTimeout as sleep } from 'node:timers/promises';
import { objectKey } from '../api/types.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { ChallengeCollector } from './challenge-collector.ts';
import { decodeSnapshot, encodeSnapshot, type SeriesStateStore } from './series-state.ts';

interface SeriesKeeperOptions {
  /** Changes are written at most this often. */
  flushIntervalMs: number;
  retentionMs: number;
  /** Namespaces this operator watches (none = all): entries of other namespaces are not this operator's. */
  namespaces: readonly string[];
}

export class SeriesKeeper {
  private dirty = false;
  private timer?: TimerHandle;
  private writing?: Promise<void>;
  private warnedLiveDropped = false;
  /** When the oldest stored tombstone expires: the stored state is rewritten then, so it never keeps expired ones. */
  private storedExpiry = Infinity;
  private readonly collector: ChallengeCollector;
  private readonly store: SeriesStateStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly opts: SeriesKeeperOptions;

  constructor(
    collector: ChallengeCollector,
    store: SeriesStateStore,
    clock: Clock,
    log: Logger,
    opts: SeriesKeeperOptions
  ) {
    this.collector = collector;
    this.store = store;
    this.clock = clock;
    this.log = log;
    this.opts = opts;
  }

  /** A Challenge was added or deleted: the stored state is behind. */
  markDirty(): void {
    this.dirty = true;
  }

  /**
   * Reads the stored state into the collector: tombstones still within the retention, and a tombstone (deleted now)
   * for every stored live Challenge the synced cache no longer has. A read that fails is tried again a few times
   * (the next write replaces what could not be read); then it is logged, never fatal.
   */
  async restore(attempts = 3): Promise<void> {
    let bytes: Buffer | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        bytes = await this.store.read();
        break;
      } catch (err) {
        if (attempt < attempts) {
          await sleep(500 * attempt);
          continue;
        }
        this.log.warn('series state not restored: cannot read it', {
          where: this.store.where,
          error: (err as Error).message,
          attempts,
        });
        return;
      }
    }
    if (!bytes) {
      return;
    }
    let decoded;
    try {
      decoded = decodeSnapshot(bytes);
    } catch (err) {
      this.log.warn('series state not restored: refused', { where: this.store.where, error: (err as Error).message });
      return;
    }
    const { snapshot, skipped } = decoded;
    const now = this.clock.now();
    const mine = (ns: string) => this.opts.namespaces.length === 0 || this.opts.namespaces.includes(ns);
    let tombstones = 0;
    for (const t of snapshot.tombstones) {
      if (!mine(t.namespace) || now - t.deletedAt >= this.opts.retentionMs) {
        continue;
      }
      this.collector.restoreTombstone(t);
      tombstones++;
    }
    const cached = new Set(this.collector.liveIdentities().map((id) => objectKey({ metadata: id })));
    let vanished = 0;
    for (const id of snapshot.live ?? []) {
      if (!mine(id.namespace) || cached.has(objectKey({ metadata: id }))) {
        continue;
      }
      this.collector.restoreTombstone({ ...id, deletedAt: now });
      vanished++;
    }
    this.dirty = true;
    this.log.info('series state restored', {
      where: this.store.where,
      savedAt: new Date(snapshot.savedAt).toISOString(),
      tombstones,
      deletedWhileDown: vanished,
      liveKnown: snapshot.live !== undefined,
      skipped,
    });
  }

  /** Starts writing changes, at most every flushIntervalMs. */
  start(): void {
    if (this.timer) {
      return;
    }
    const tick = () => {
      this.timer = this.clock.setTimeout(tick, this.opts.flushIntervalMs);
      if ((this.dirty || this.clock.now() >= this.storedExpiry) && !this.writing) {
        void this.flush();
      }
    };
    this.timer = this.clock.setTimeout(tick, this.opts.flushIntervalMs);
  }

  /** Stops the timer; `flush` writes what changed since the last write first (a graceful stop). */
  async stop(flush: boolean): Promise<void> {
    if (this.timer) {
      this.clock.clearTimeout(this.timer);
    }
    this.timer = undefined;
    await this.writing;
    if (flush && this.dirty) {
      await this.flush();
    }
  }

  /** Writes the current tombstones and live set now. Failures are logged; the next change retries. */
  flush(): Promise<void> {
    this.writing = this.write().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  private async write(): Promise<void> {
    this.dirty = false;
    const snapshot = {
      savedAt: this.clock.now(),
      tombstones: this.collector.tombstoneList(),
      live: this.collector.liveIdentities(),
    };
    const { bytes, liveKept, tombstonesKept } = await encodeSnapshot(snapshot);
    this.storedExpiry = snapshot.tombstones.reduce(
      (min, t) => Math.min(min, t.deletedAt + this.opts.retentionMs),
      Infinity
    );
    if (!liveKept && !this.warnedLiveDropped) {
      this.warnedLiveDropped = true;
      this.log.warn(
        'series state: the live set is too large to keep; deletions while no operator runs will not be seen',
        {
          live: snapshot.live.length,
          tombstones: snapshot.tombstones.length,
          tombstonesKept,
        }
      );
    }
    if (liveKept) {
      this.warnedLiveDropped = false;
    }
    try {
      await this.store.write(bytes);
    } catch (err) {
      this.dirty = true;
      this.log.warn('series state not written', { where: this.store.where, error: (err as Error).message });
    }
  }
}
