// An informer's local cache: the objects by key, their indexes, and the handlers told about every change to them.
// The list+watch loop that feeds it is informer.ts.
import { objectKey, type KubeObject } from '../api/types.ts';
import { Indexes, type IndexFunc } from './indexes.ts';

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

/** setImmediate: lets timers, I/O (probes, scrapes) and other callbacks run before the next slice. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class InformerCache<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly indexes = new Indexes<T>();
  private readonly handlers: Array<InformerHandlers<T>> = [];

  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.indexes.add(name, fn, this.objects);
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): IterableIterator<T> {
    return this.objects.values();
  }

  size(): number {
    return this.objects.size;
  }

  /** The keys as they are now (a copy: handlers may change the cache while the caller walks them). */
  keys(): string[] {
    return [...this.objects.keys()];
  }

  byIndex(name: string, value: string): T[] {
    const out: T[] = [];
    for (const k of this.indexes.keys(name, value)) {
      const o = this.objects.get(k);
      if (o) {
        out.push(o);
      }
    }
    return out;
  }

  /** A periodic resync: handlers see the object as updated to itself. */
  resyncOne(key: string): void {
    const obj = this.objects.get(key);
    if (obj) {
      for (const h of this.handlers) {
        h.onUpdate?.(obj, obj);
      }
    }
  }

  /**
   * Swap the cache for a fresh list, telling handlers what changed (deletes seen only by the relist, too), one
   * slice of `chunkSize` at a time so probes and scrapes are answered during a large (re)list. `transform` is applied
   * to each listed object first. False when `superseded()` (a newer (re)list or stop() took over meanwhile).
   */
  async replace(
    items: T[],
    transform: ((obj: any) => T) | undefined,
    chunkSize: number,
    superseded: () => boolean
  ): Promise<boolean> {
    const seen = new Set<string>();
    for (let i = 0; i < items.length; i += chunkSize) {
      if (i > 0) {
        await yieldToEventLoop();
        if (superseded()) {
          return false;
        }
      }
      const end = Math.min(items.length, i + chunkSize);
      for (let j = i; j < end; j++) {
        const obj = transform ? transform(items[j]) : items[j];
        items[j] = undefined as unknown as T; // the raw object can go as soon as its projection is cached
        seen.add(objectKey(obj));
        this.upsert(obj);
      }
    }
    let n = 0;
    for (const [key, obj] of [...this.objects]) {
      if (!seen.has(key)) {
        this.remove(obj);
      }
      if (++n % (chunkSize * 4) === 0) {
        await yieldToEventLoop();
        if (superseded()) {
          return false;
        }
      }
    }
    return true;
  }

  upsert(obj: T): void {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (old) {
      this.indexes.delete(key, old);
    }
    this.objects.set(key, obj);
    this.indexes.insert(key, obj);
    if (old) {
      if (old.metadata.resourceVersion === obj.metadata.resourceVersion) {
        return;
      } // relist of an unchanged object
      for (const h of this.handlers) {
        h.onUpdate?.(old, obj);
      }
    } else {
      for (const h of this.handlers) {
        h.onAdd?.(obj);
      }
    }
  }

  remove(obj: T): void {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (!old) {
      return;
    }
    this.indexes.delete(key, old);
    this.objects.delete(key);
    for (const h of this.handlers) {
      h.onDelete?.(obj);
    }
  }
}
