// client-go's per-object spam filter for Events: a token bucket per object (burstPerObject Events, one more every
// refillPerObjectMs), so one noisy Challenge cannot fill the Event budget of all the others.

interface Bucket {
  tokens: number;
  last: number;
}

export class SpamFilter {
  private readonly burstPerObject: number;
  private readonly refillPerObjectMs: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(burstPerObject: number, refillPerObjectMs: number) {
    this.burstPerObject = burstPerObject;
    this.refillPerObjectMs = refillPerObjectMs;
  }

  /** Takes a token of this object's bucket, if it has one. */
  allow(uid: string, now: number): boolean {
    const b = this.buckets.get(uid) ?? { tokens: this.burstPerObject, last: now };
    b.tokens = Math.min(this.burstPerObject, b.tokens + (now - b.last) / this.refillPerObjectMs);
    b.last = now;
    this.buckets.set(uid, b);
    if (b.tokens < 1) {
      return false;
    }
    b.tokens -= 1;
    return true;
  }

  /** Forgets the buckets that have refilled (memory stays bounded by recent activity). */
  sweep(now: number): void {
    for (const [uid, b] of this.buckets) {
      if (b.tokens + (now - b.last) / this.refillPerObjectMs >= this.burstPerObject) {
        this.buckets.delete(uid);
      }
    }
  }

  clear(): void {
    this.buckets.clear();
  }
}
