// Runs reconcile workers over a work queue. start()/stop() can repeat (leadership gained and lost): each start
// gets a fresh queue, filled with every cached key.
import type { Clock } from '../clock.ts';
import { WorkQueue, type Priority } from '../queue/work-queue.ts';
import type { ControllerMetrics } from '../metrics/controller-metrics.ts';
import { apiError } from '../kube/errors.ts';
import type { Logger } from '../log.ts';
import { RequeueError, TransientError, type Result } from './result.ts';

/** Keys queued per slice when a start fills the queue. */
const FILL_SLICE = 1000;

interface ControllerOptions {
  name: string;
  workers: number;
  clock: Clock;
  metrics: ControllerMetrics;
  log: Logger;
  reconcile: (key: string) => Promise<Result>;
  keys: () => Iterable<string>;
  /** The queue's fairness group of a key (work-queue.ts); without it, one FIFO. */
  fairnessKeyOf?: (key: string) => string;
}

export class Controller {
  private readonly o: ControllerOptions;
  private queue?: WorkQueue;
  private running: Array<Promise<void>> = [];
  private active = 0;

  constructor(o: ControllerOptions) {
    this.o = o;
  }

  isRunning(): boolean {
    return this.queue !== undefined;
  }

  /** Keys waiting for a worker (not those being reconciled). */
  backlog(): number {
    return this.queue?.len() ?? 0;
  }

  enqueue(key: string, priority: Priority = 'normal'): void {
    this.queue?.add(key, priority);
  }

  start(): void {
    if (this.queue) {
      return;
    }
    const q: WorkQueue = new WorkQueue({
      clock: this.o.clock,
      fairnessKeyOf: this.o.fairnessKeyOf,
      metrics: this.o.metrics.queueSink(this.o.name, () => ({ now: this.o.clock.now(), since: q.processingSince() })),
    });
    this.queue = q;
    this.o.metrics.workers(this.o.name, 0, this.o.workers);
    this.running = Array.from({ length: this.o.workers }, () => this.worker(q));
    void this.fill(q);
  }

  /**
   * Every cached key, a slice at a time with the event loop running between slices: 20,000 adds in one go blocked
   * it for about 90 ms (each add updates the queue metrics). Workers start on the first slice. Low priority, as
   * controller-runtime's initial list: an event of something in progress goes first.
   */
  private async fill(q: WorkQueue): Promise<void> {
    let n = 0;
    for (const key of [...this.o.keys()]) {
      if (this.queue !== q) {
        return;
      } // stopped (or restarted) meanwhile
      q.add(key, 'low');
      if (++n % FILL_SLICE === 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  /** Stops handing out keys and waits for in-flight reconciles to finish. */
  async stop(): Promise<void> {
    const q = this.queue;
    if (!q) {
      return;
    }
    this.queue = undefined;
    q.shutDown();
    await Promise.all(this.running);
    this.running = [];
  }

  private async worker(q: WorkQueue): Promise<void> {
    const { name, metrics, clock, log } = this.o;
    for (;;) {
      const key = await q.get();
      if (key === undefined) {
        return;
      }
      this.active++;
      metrics.workers(name, this.active, this.o.workers);
      const started = clock.now();
      let result = 'success';
      try {
        const res = await this.o.reconcile(key);
        q.forget(key);
        if (res.requeueAfterMs !== undefined) {
          result = 'requeue_after';
          q.addAfter(key, Math.max(0, res.requeueAfterMs));
        }
      } catch (err) {
        if (err instanceof RequeueError) {
          result = 'requeue';
          log.debug('requeue', { key, reason: err.message });
        } else {
          result = 'error';
          metrics.reconcileErrors.inc({ controller: name });
          const info = apiError(err instanceof TransientError ? err.cause : err);
          log.error('reconcile failed', {
            key,
            code: info.code || undefined,
            reason: info.reason || undefined,
            error: info.message,
          });
        }
        q.addRateLimited(key);
        if (err instanceof TransientError && err.requeueAfterMs !== undefined) {
          q.addAfter(key, Math.max(0, err.requeueAfterMs));
        }
      } finally {
        metrics.reconcileTotal.inc({ controller: name, result });
        metrics.reconcileTime.observe({ controller: name }, (clock.now() - started) / 1000);
        q.done(key);
        this.active--;
        metrics.workers(name, this.active, this.o.workers);
      }
    }
  }
}
