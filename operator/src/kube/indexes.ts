// An informer's indexes (client-go's Indexer): for each index, which cache keys have each value, so "the children
// of this Challenge" is a map lookup instead of a scan of the cache.

/** The values an object is indexed under. */
export type IndexFunc<T> = (obj: T) => string[];

export class Indexes<T> {
  private readonly fns = new Map<string, IndexFunc<T>>();
  private readonly byName = new Map<string, Map<string, Set<string>>>();

  /** A new index over the objects already cached. */
  add(name: string, fn: IndexFunc<T>, cached: Map<string, T>): void {
    this.fns.set(name, fn);
    this.byName.set(name, new Map());
    for (const [key, obj] of cached) {
      this.insertInto(name, fn, key, obj);
    }
  }

  /** The keys whose object has `value` in index `name`. */
  keys(name: string, value: string): Iterable<string> {
    return this.byName.get(name)?.get(value) ?? [];
  }

  insert(key: string, obj: T): void {
    for (const [name, fn] of this.fns) {
      this.insertInto(name, fn, key, obj);
    }
  }

  delete(key: string, obj: T): void {
    for (const [name, fn] of this.fns) {
      const idx = this.byName.get(name)!;
      for (const v of fn(obj)) {
        const set = idx.get(v);
        if (!set) {
          continue;
        }
        set.delete(key);
        if (set.size === 0) {
          idx.delete(v);
        }
      }
    }
  }

  private insertInto(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const idx = this.byName.get(name)!;
    for (const v of fn(obj)) {
      let set = idx.get(v);
      if (!set) {
        idx.set(v, (set = new Set()));
      }
      set.add(key);
    }
  }
}
