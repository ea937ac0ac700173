// The queued keys of a WorkQueue, in groups (a Challenge's quota user): keys are handed out round-robin across the
// groups, FIFO inside each, so one group's pile does not delay another group's first key. With one group (no
// fairness key) this is a plain FIFO.

class Fifo {
  private items: string[] = [];
  private head = 0;

  push(key: string): void {
    this.items.push(key);
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) {
      return undefined;
    }
    const key = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return key;
  }

  get size(): number {
    return this.items.length - this.head;
  }
}

export class FairLine {
  /** Non-empty groups in turn order: the first is served next, then moves to the back (Map keeps insertion order). */
  private readonly groups = new Map<string, Fifo>();
  private count = 0;

  push(group: string, key: string): void {
    let fifo = this.groups.get(group);
    if (!fifo) {
      this.groups.set(group, (fifo = new Fifo()));
    }
    fifo.push(key);
    this.count++;
  }

  /** The first key of the group whose turn it is; that group goes to the back of the turn order. */
  shift(): string | undefined {
    for (const [group, fifo] of this.groups) {
      const key = fifo.shift();
      this.groups.delete(group);
      if (fifo.size) {
        this.groups.set(group, fifo);
      }
      if (key !== undefined) {
        this.count--;
        return key;
      }
    }
    return undefined;
  }

  get size(): number {
    return this.count;
  }
}
