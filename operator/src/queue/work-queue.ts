// De-duplicating work queue in the style of client-go's rate-limited queue:
// - a key is queued at most once; a key added while being processed is re-queued when done() is called,
//   so one key is never processed by two workers at the same time;
// - addAfter() delays a key (the earliest pending delay wins);
// - addRateLimited() delays by per-key exponential backoff, forget() resets it;
// - with fairnessKeyOf, keys are handed out round-robin across its groups (FIFO inside each): fair-line.ts;
// - two priorities, as controller-runtime's priority queue: a 'low' key waits until no 'normal' key does, and a
//   'normal' add of a key waiting as 'low' lifts it.
import { realClock, type Clock, type TimerHandle } from '../clock.ts';
import { FairLine } from './fair-line.ts';

/**
 * 'low': work that can wait for the progress of what is already under way (a new Challenge, the start's fill, an
 * unchanged object's resync); 'normal': everything else (a child's event, a changed Challenge, a requeue).
 */
export type Priority = 'normal' | 'low';

export interface QueueMetricsSink {
  add(): void;
  retry(): void;
  depth(n: number): void;
  queued(seconds: number): void;
  worked(seconds: number): void;
}

interface WorkQueueOptions {
  clock?: Clock;
  baseDelayMs?: number;
  maxDelayMs?: number;
  metrics?: QueueMetricsSink;
  /** The fairness group of a key (e.g. its Challenge's user), read when the key is queued; without it, one FIFO. */
  fairnessKeyOf?: (key: string) => string;
}

export class WorkQueue {
  private readonly clock: Clock;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly metrics?: QueueMetricsSink;
  private readonly fairnessKeyOf?: (key: string) => string;
  private readonly lines: Record<Priority, FairLine> = { normal: new FairLine(), low: new FairLine() };
  /** Where each queued key waits. A lifted key leaves a stale entry in the low line, skipped when it comes up. */
  private readonly queued = new Map<string, Priority>();
  /** The priority a dirty key is queued with (done() re-queues one added while it was processed). */
  private readonly wanted = new Map<string, Priority>();
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>(); // key -> start time
  private readonly addedAt = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: TimerHandle }>();
  private waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1000 * 1000;
    this.metrics = opts.metrics;
    this.fairnessKeyOf = opts.fairnessKeyOf;
  }

  add(key: string, priority: Priority = 'normal'): void {
    if (this.shuttingDown) {
      return;
    }
    if (this.dirty.has(key)) {
      if (priority === 'normal') {
        this.lift(key);
      }
      return;
    }
    this.metrics?.add();
    this.dirty.add(key);
    this.wanted.set(key, priority);
    this.addedAt.set(key, this.clock.now());
    if (this.processing.has(key)) {
      return;
    } // re-queued by done()
    this.push(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) {
      return;
    }
    if (delayMs <= 0) {
      return this.add(key);
    }
    const at = this.clock.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) {
      return;
    }
    if (existing) {
      this.clock.clearTimeout(existing.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { at, timer });
  }

  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.metrics?.retry();
    this.addAfter(key, this.backoffFor(n));
  }

  /** Delay the n-th consecutive failure (0-based) waits. */
  backoffFor(n: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(n, 40));
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Next key to process, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.pop();
    if (key !== undefined || this.shuttingDown) {
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    const started = this.processing.get(key);
    this.processing.delete(key);
    if (started !== undefined) {
      this.metrics?.worked((this.clock.now() - started) / 1000);
    }
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.push(key);
    }
  }

  len(): number {
    return this.queued.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Start times of keys being processed (for the unfinished-work metrics). */
  processingSince(): number[] {
    return [...this.processing.values()];
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) {
      this.clock.clearTimeout(timer);
    }
    this.delayed.clear();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      w(undefined);
    }
  }

  private groupOf(key: string): string {
    return this.fairnessKeyOf?.(key) ?? '';
  }

  /** A dirty key added again as 'normal': it moves to the normal line, or is re-queued there if being processed. */
  private lift(key: string): void {
    this.wanted.set(key, 'normal');
    if (this.queued.get(key) === 'low') {
      this.queued.set(key, 'normal');
      this.lines.normal.push(this.groupOf(key), key);
    }
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.take(key);
      waiter(key);
      return;
    }
    const priority = this.wanted.get(key) ?? 'normal';
    this.queued.set(key, priority);
    this.lines[priority].push(this.groupOf(key), key);
    this.metrics?.depth(this.len());
  }

  private pop(): string | undefined {
    if (this.shuttingDown) {
      return undefined;
    }
    for (const priority of ['normal', 'low'] as const) {
      for (let key = this.lines[priority].shift(); key !== undefined; key = this.lines[priority].shift()) {
        if (this.queued.get(key) !== priority) {
          continue; // lifted to the normal line, handed out from there
        }
        this.take(key);
        this.metrics?.depth(this.len());
        return key;
      }
    }
    return undefined;
  }

  private take(key: string): void {
    this.queued.delete(key);
    this.wanted.delete(key);
    this.dirty.delete(key);
    const now = this.clock.now();
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) {
      this.metrics?.queued((now - added) / 1000);
    }
    this.processing.set(key, now);
  }
}
