// The metrics authorizer's memory of recent verdicts, keyed by a hash of the token (never the token): a time to
// live per entry and a size bound, the oldest entry dropped first when full (insertion order of a Map).
export class VerdictCache<V> {
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(ttlMs: number, maxEntries: number) {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
  }

  get(key: string, now: number): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) {
      return undefined;
    }
    if (hit.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V, now: number): void {
    if (this.ttlMs <= 0 || this.maxEntries <= 0) {
      return;
    }
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { value, until: now + this.ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
