// The EventRecorder's memory of recent Events: one series per distinct Event (object, type, reason, action, note),
// which ones still have something to write (in the order they became so), when each may be written, and the sweep
// that forgets finished series so memory stays bounded by recent activity.
import type { EventOccurrence, EventRegarding } from './event-writer.ts';

export interface Series {
  key: string;
  regarding: EventRegarding;
  occurrence: EventOccurrence;
  firstMs: number;
  lastMs: number;
  count: number;
  /** Set once the Event exists on the apiserver. */
  name?: string;
  writtenCount: number;
  lastWriteMs: number;
  attempts: number;
  /** After a failed write: not before then (client-go waits 10 s between tries). */
  retryAtMs: number;
}

export class SeriesStore {
  private readonly series = new Map<string, Series>();
  /** Series with something to write, in the order they became so. */
  private readonly dirty = new Set<Series>();
  private readonly windowMs: number;
  private readonly flushMs: number;

  /**
   * `windowMs`: repeats within this long of the last one join its series; `flushMs`: a series that grew is written
   * again at most this often.
   */
  constructor(windowMs: number, flushMs: number) {
    this.windowMs = windowMs;
    this.flushMs = flushMs;
  }

  get(key: string): Series | undefined {
    return this.series.get(key);
  }

  /** A repeat seen within the window: `existing` now has more to write. */
  joins(existing: Series | undefined, now: number): existing is Series {
    return existing !== undefined && now - existing.lastMs < this.windowMs;
  }

  /** A new series under its key, in place of an older one whose window has passed (its unwritten growth is dropped). */
  startNew(s: Series, replaced: Series | undefined): void {
    if (replaced) {
      this.dirty.delete(replaced);
    }
    this.series.set(s.key, s);
    this.dirty.add(s);
  }

  markDirty(s: Series): void {
    this.dirty.add(s);
  }

  isDirty(s: Series): boolean {
    return this.dirty.has(s);
  }

  /** Written up to its count: nothing more to write until it grows again. */
  written(s: Series): void {
    if (s.count === s.writtenCount) {
      this.dirty.delete(s);
    }
  }

  /** Given up: neither written nor remembered. */
  forget(s: Series): void {
    this.dirty.delete(s);
    this.series.delete(s.key);
  }

  /** Series waiting to be written. */
  get pending(): number {
    return this.dirty.size;
  }

  clear(): void {
    this.dirty.clear();
    this.series.clear();
  }

  /** Forgets series with nothing to write whose window has passed. */
  sweep(now: number): void {
    for (const [key, s] of this.series) {
      if (!this.dirty.has(s) && now - s.lastMs >= this.windowMs) {
        this.series.delete(key);
      }
    }
  }

  /** The first waiting series that may be written now (with `force`, the first waiting one). */
  nextReady(now: number, force: boolean): Series | undefined {
    for (const s of this.dirty) {
      if (force || this.readyAt(s) <= now) {
        return s;
      }
    }
    return undefined;
  }

  /** When the earliest waiting series may be written (Infinity when none waits). */
  earliestReadyAt(): number {
    let at = Infinity;
    for (const s of this.dirty) {
      at = Math.min(at, this.readyAt(s));
    }
    return at;
  }

  /** When a series may be written: a new Event at once, a grown one flushMs after its last write. */
  private readyAt(s: Series): number {
    return Math.max(s.retryAtMs, s.name === undefined ? 0 : s.lastWriteMs + this.flushMs);
  }
}
