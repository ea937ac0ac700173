// A small list+watch informer feeding a local cache with indexes (informer-cache.ts).
// Why not client-node's informer: it stops for good after any watch error other than 410, never resyncs and asks
// for no bookmarks. This one relists and restarts the watch with exponential backoff on every error, resumes from
// the last resourceVersion (bookmarks keep it fresh) after a clean server-side close, and can resync periodically.
import { realClock, type Clock, type TimerHandle } from '../clock.ts';
import type { KubeObject } from '../api/types.ts';
import { apiError } from './errors.ts';
import type { IndexFunc } from './indexes.ts';
import { InformerCache, yieldToEventLoop, type InformerHandlers } from './informer-cache.ts';
import type { ListResult, ListWatch, WatchEventType, WatchHandle } from './list-watch.ts';

interface InformerOptions<T = unknown> {
  name: string;
  /**
   * Applied to every listed or watched object before it is cached (client-go's SetTransform): keep only the fields
   * the operator reads. Handlers and lookups see the result.
   */
  transform?: (obj: any) => T;
  /** Objects handled per slice of an initial list, relist or resync; the event loop runs between slices. */
  chunkSize?: number;
  clock?: Clock;
  resyncMs?: number; // 0 = never
  minBackoffMs?: number;
  maxBackoffMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export class Informer<T extends KubeObject> {
  readonly name: string;
  private readonly clock: Clock;
  private readonly cache = new InformerCache<T>();
  private resourceVersion = '';
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private stopped = true;
  private watchHandle?: WatchHandle;
  private timer?: TimerHandle;
  private resyncTimer?: TimerHandle;
  private failures = 0;
  private generation = 0; // bumps on every (re)start of list/watch, so stale callbacks are ignored
  private readonly opts: Required<Omit<InformerOptions<T>, 'clock' | 'log' | 'transform'>> &
    Pick<InformerOptions<T>, 'log' | 'transform'>;

  /** Counts for tests and logs. */
  readonly stats = { lists: 0, watches: 0, errors: 0 };
  /** The most recent list/watch failure, for "why is this not synced" messages. */
  lastError = '';

  private readonly lw: ListWatch<T>;

  constructor(lw: ListWatch<T>, opts: InformerOptions<T>) {
    this.lw = lw;
    this.name = opts.name;
    this.clock = opts.clock ?? realClock;
    this.opts = { resyncMs: 0, minBackoffMs: 200, maxBackoffMs: 30_000, chunkSize: 500, ...opts };
  }

  addHandlers(h: InformerHandlers<T>): void {
    this.cache.addHandlers(h);
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.cache.addIndex(name, fn);
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): IterableIterator<T> {
    return this.cache.list();
  }

  size(): number {
    return this.cache.size();
  }

  byIndex(name: string, value: string): T[] {
    return this.cache.byIndex(name, value);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  start(): void {
    if (!this.stopped) {
      return;
    }
    this.stopped = false;
    void this.relist();
    this.scheduleResync();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.watchHandle?.abort();
    this.watchHandle = undefined;
    if (this.timer) {
      this.clock.clearTimeout(this.timer);
    }
    if (this.resyncTimer) {
      this.clock.clearTimeout(this.resyncTimer);
    }
    this.timer = this.resyncTimer = undefined;
  }

  private async relist(): Promise<void> {
    const gen = ++this.generation;
    this.watchHandle?.abort();
    this.watchHandle = undefined;
    let result: ListResult<T>;
    try {
      this.stats.lists++;
      result = await this.lw.list(this.opts.transform);
    } catch (err) {
      if (gen === this.generation) {
        this.retryLater(err, 'list');
      }
      return;
    }
    if (gen !== this.generation || this.stopped) {
      return;
    }
    const transform = result.transformed ? undefined : this.opts.transform;
    const superseded = () => gen !== this.generation || this.stopped;
    if (!(await this.cache.replace(result.items, transform, this.opts.chunkSize, superseded))) {
      return;
    }
    this.resourceVersion = result.resourceVersion;
    this.failures = 0;
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) {
        w();
      }
    }
    await this.startWatch(gen);
  }

  private async startWatch(gen: number): Promise<void> {
    if (gen !== this.generation || this.stopped) {
      return;
    }
    this.stats.watches++;
    let finished = false;
    const startedAt = this.clock.now();
    const onDone = (err: unknown) => {
      if (finished || gen !== this.generation || this.stopped) {
        return;
      }
      finished = true;
      this.watchHandle = undefined;
      if (err) {
        return this.retryLater(err, 'watch');
      }
      // A close right after opening would spin; treat it as a failure so backoff applies.
      if (this.clock.now() - startedAt < 1000) {
        return this.retryLater(new Error('watch closed immediately'), 'watch');
      }
      // A clean server-side close (timeoutSeconds): resume from the last resourceVersion right away.
      void this.startWatch(gen);
    };
    const onEvent = (type: WatchEventType, obj: any) => {
      if (finished || gen !== this.generation || this.stopped) {
        return;
      }
      this.failures = 0;
      if (type === 'ERROR') {
        finished = true;
        this.watchHandle?.abort();
        const code = obj?.code;
        // 410 Gone: our resourceVersion is too old; relist now. Anything else: relist after a backoff.
        if (code === 410) {
          void this.relist();
        } else {
          this.retryLater(new Error(`watch error event: ${obj?.message ?? JSON.stringify(obj)}`), 'watch');
        }
        return;
      }
      const rv = obj?.metadata?.resourceVersion;
      if (rv) {
        this.resourceVersion = rv;
      }
      if (type === 'BOOKMARK') {
        return;
      }
      const cached = this.opts.transform ? this.opts.transform(obj) : (obj as T);
      if (type === 'DELETED') {
        this.cache.remove(cached);
      } else {
        this.cache.upsert(cached);
      }
    };
    try {
      const handle = await this.lw.watch(this.resourceVersion, onEvent, onDone);
      if (finished || gen !== this.generation || this.stopped) {
        handle.abort();
      } else {
        this.watchHandle = handle;
      }
    } catch (err) {
      onDone(err ?? new Error('watch failed'));
    }
  }

  private retryLater(err: unknown, what: string): void {
    if (this.stopped) {
      return;
    }
    this.stats.errors++;
    const info = apiError(err);
    this.lastError = info.code ? `${info.code}: ${info.message}` : info.message;
    const delay = Math.min(this.opts.maxBackoffMs, this.opts.minBackoffMs * 2 ** Math.min(this.failures, 20));
    this.failures++;
    this.opts.log?.(`${what} failed; relisting after backoff`, {
      informer: this.name,
      delayMs: delay,
      error: this.lastError,
    });
    const gen = ++this.generation;
    if (this.timer) {
      this.clock.clearTimeout(this.timer);
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (gen === this.generation && !this.stopped) {
        void this.relist();
      }
    }, delay);
  }

  private scheduleResync(): void {
    if (!this.opts.resyncMs || this.stopped) {
      return;
    }
    this.resyncTimer = this.clock.setTimeout(async () => {
      if (this.stopped) {
        return;
      }
      let n = 0;
      for (const key of this.cache.keys()) {
        this.cache.resyncOne(key);
        if (++n % this.opts.chunkSize === 0) {
          await yieldToEventLoop();
        }
        if (this.stopped) {
          return;
        }
      }
      this.scheduleResync();
    }, this.opts.resyncMs);
  }
}
