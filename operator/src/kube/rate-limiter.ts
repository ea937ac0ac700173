// Client-side rate limit for apiserver requests, with client-go's semantics (flowcontrol's token bucket over
// golang.org/x/time/rate): the bucket starts full with `burst` tokens and refills at `qps` per second; every
// request takes one token, and a request that finds none waits its turn (first come, first served).
import { realClock, type Clock } from '../clock.ts';

export interface RateLimiter {
  /** Resolves when the caller may send its request. */
  wait(): Promise<void>;
}

/** No limit: client-go's behaviour for a negative QPS. */
export const unlimited: RateLimiter = { wait: () => Promise.resolve() };

export class TokenBucket implements RateLimiter {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  constructor(qps: number, burst: number, clock: Clock = realClock) {
    if (!(qps > 0)) {
      throw new Error(`qps must be positive, got ${qps}`);
    }
    if (!(burst >= 1)) {
      throw new Error(`burst must be at least 1, got ${burst}`);
    }
    this.qps = qps;
    this.burst = burst;
    this.clock = clock;
    this.tokens = burst;
    this.last = clock.now();
  }

  /**
   * Reserves a token now (the count may go negative: those are the callers already waiting) and sleeps until
   * it is due, so waiters are served in arrival order without a queue of their own.
   */
  wait(): Promise<void> {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) {
      return Promise.resolve();
    }
    const delayMs = (-this.tokens / this.qps) * 1000;
    return new Promise((resolve) => this.clock.setTimeout(resolve, delayMs));
  }
}

export function rateLimiter(qps: number, burst: number, clock?: Clock): RateLimiter {
  return qps < 0 ? unlimited : new TokenBucket(qps, burst, clock);
}
