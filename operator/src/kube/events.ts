// Kubernetes Events (events.k8s.io/v1) about Challenges, recorded the way client-go's recorders do it, so that
// `kubectl describe` tells an organizer what happened without the Events flooding the apiserver:
// - record() never waits and never throws: it updates memory; a writer sends the Events later, one at a time,
//   through the operator's rate-limited client, never on the reconcile path;
// - a repeat of the same Event (same object, type, reason, action and note) within 6 minutes is not a new object:
//   it raises the first one's `series.count`, written at most every `seriesFlushMs`, not per occurrence;
// - each object has a token bucket (25 Events, one more every 5 minutes, client-go's spam filter), all Event writes
//   together have one (`globalQps`/`globalBurst`), and at most `maxPending` Events wait to be written: beyond
//   that new ones are dropped and counted;
// - notes quote what players and challenge authors control: they are escaped and cut to the apiserver's 1 KiB.
// Time comes from the injected clock (timers included), so the unit tests drive it by hand.
import { randomBytes } from 'node:crypto';
import { realClock, type Clock, type TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import { apiError, isNotFound } from './errors.ts';
import { microTime } from './leader-election.ts';
import { SpamFilter } from './event-spam-filter.ts';
import { TokenBucket, type RateLimiter } from './rate-limiter.ts';
import type { RestClient } from './rest.ts';
import {
  FIELD_MAX,
  NAME_MAX,
  camelCase,
  restEventWriter,
  sanitizeNote,
  truncateUtf8,
  type EventBody,
  type EventOccurrence,
  type EventRegarding,
  type EventType,
  type EventWriter,
  type Regarding,
} from './event-writer.ts';

export type DropReason = 'spam_filter' | 'queue_full' | 'write_failed' | 'invalid';

export interface EventRecorderStats {
  dropped(reason: DropReason): void;
  written(verb: 'create' | 'patch', ok: boolean): void;
}

export interface EventRecorderOptions {
  /** `reportingController`, a qualified name such as `hexactf.io/challenge-operator`. */
  controller: string;
  /** `reportingInstance`: this replica. */
  instance: string;
  clock?: Clock;
  log?: Logger;
  /** Counters for /metrics (event_recorder_*). */
  metrics?: EventRecorderStats;
  /** Repeats within this long of the last one join its series (client-go: 6 min). */
  seriesWindowMs?: number;
  /** A series that grew is written again at most this often (client-go: 30 s). */
  seriesFlushMs?: number;
  /** Per object: Events allowed at once, and how often one more is allowed (client-go: 25, 5 min). */
  burstPerObject?: number;
  refillPerObjectMs?: number;
  /** All Event writes together (creates and series patches). */
  globalQps?: number;
  globalBurst?: number;
  /** Events waiting to be written (new ones and grown series); a new Event beyond this is dropped. */
  maxPending?: number;
  /** Attempts per write before an Event is given up, and the wait between them (client-go: 12, 10 s). */
  maxAttempts?: number;
  retryDelayMs?: number;
  /** How long a graceful stop keeps writing what waits. */
  drainTimeoutMs?: number;
}

interface Series {
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

export class EventRecorder {
  private readonly writer: EventWriter;
  private readonly o: Required<Omit<EventRecorderOptions, 'metrics' | 'log'>> & {
    metrics?: EventRecorderStats;
    log?: Logger;
  };
  private readonly global: RateLimiter;
  private readonly series = new Map<string, Series>();
  /** Series with something to write, in the order they became so. */
  private readonly dirty = new Set<Series>();
  private readonly spamFilter: SpamFilter;
  private pumping?: Promise<void>;
  private timer?: TimerHandle;
  private lastSweepMs = 0;
  /** flush() in progress: everything waiting is ready. */
  private forcing = 0;
  /** Resolves on stop(), so a writer waiting for a token of the global bucket does not hold up the stop. */
  private signalStop: () => void = () => {};
  private stopped = new Promise<void>((resolve) => (this.signalStop = resolve));
  private running = true;
  /** Counts for tests and the docs: Events created, series patches, repeats aggregated, records dropped, failed writes. */
  readonly stats = { created: 0, seriesWrites: 0, aggregated: 0, dropped: 0, failed: 0 };

  /** `target`: the operator's REST client, or (unit tests) a writer that keeps what would be written. */
  constructor(target: RestClient | EventWriter, opts: EventRecorderOptions) {
    this.writer =
      typeof (target as EventWriter).patchSeries === 'function'
        ? (target as EventWriter)
        : restEventWriter(target as RestClient);
    this.o = {
      clock: realClock,
      seriesWindowMs: 6 * 60_000,
      seriesFlushMs: 30_000,
      burstPerObject: 25,
      refillPerObjectMs: 5 * 60_000,
      globalQps: 10,
      globalBurst: 50,
      maxPending: 1000,
      maxAttempts: 12,
      retryDelayMs: 10_000,
      drainTimeoutMs: 2000,
      ...opts,
      instance: truncateUtf8(opts.instance, FIELD_MAX),
    };
    this.global = new TokenBucket(this.o.globalQps, this.o.globalBurst, this.o.clock);
    this.spamFilter = new SpamFilter(this.o.burstPerObject, this.o.refillPerObjectMs);
  }

  /** Records again after stop() (leadership regained: only the leader records). */
  start(): void {
    if (this.running) {
      return;
    }
    this.stopped = new Promise((resolve) => (this.signalStop = resolve));
    this.running = true;
    this.kick();
  }

  /**
   * Stops recording. With `drain` (the default), what waits to be written is written first, for at most
   * drainTimeoutMs (a graceful stop); otherwise it is dropped (leadership lost: the new leader records from now on).
   */
  async stop(drain = true): Promise<void> {
    if (drain && this.running) {
      // Bounded: a long queue must not hold up the shutdown (the pod's grace period).
      let timer: TimerHandle | undefined;
      await Promise.race([
        this.flush(),
        new Promise<void>((resolve) => (timer = this.o.clock.setTimeout(resolve, this.o.drainTimeoutMs))),
      ]);
      this.o.clock.clearTimeout(timer!);
    }
    this.running = false;
    this.signalStop();
    if (this.timer) {
      this.o.clock.clearTimeout(this.timer);
    }
    this.timer = undefined;
    await this.pumping;
    this.dirty.clear();
    this.series.clear();
    this.spamFilter.clear();
  }

  /** Records an Event about `regarding`; returns at once (the write happens later). Never throws. */
  record(regarding: Regarding, type: EventType, reason: string, action: string, note: string): void {
    if (!this.running) {
      return;
    }
    const occ: EventOccurrence = {
      type: type === 'Warning' ? 'Warning' : 'Normal',
      reason: camelCase(reason),
      action: camelCase(action),
      note: sanitizeNote(note),
    };
    const m = regarding.metadata;
    if (!occ.reason || !occ.action || !m.namespace) {
      return this.drop('invalid');
    }
    const ref: EventRegarding = {
      apiVersion: regarding.apiVersion ?? '',
      kind: regarding.kind ?? '',
      namespace: m.namespace,
      name: m.name,
      ...(m.uid ? { uid: m.uid } : {}),
      ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
    };
    const now = this.o.clock.now();
    this.sweep(now);
    const uid = m.uid ?? `${m.namespace}/${m.name}`;
    const key = [uid, occ.type, occ.reason, occ.action, occ.note].join('\0');
    const existing = this.series.get(key);
    if (existing && now - existing.lastMs < this.o.seriesWindowMs) {
      existing.count++;
      existing.lastMs = now;
      existing.regarding = ref;
      this.stats.aggregated++;
      this.dirty.add(existing);
      this.kick();
      return;
    }
    if (!this.spamFilter.allow(uid, now)) {
      return this.drop('spam_filter');
    }
    if (this.dirty.size >= this.o.maxPending) {
      return this.drop('queue_full');
    }
    const s: Series = {
      key,
      regarding: ref,
      occurrence: occ,
      firstMs: now,
      lastMs: now,
      count: 1,
      writtenCount: 0,
      lastWriteMs: 0,
      attempts: 0,
      retryAtMs: 0,
    };
    if (existing) {
      this.dirty.delete(existing);
    }
    this.series.set(key, s);
    this.dirty.add(s);
    this.kick();
  }

  private drop(reason: DropReason): void {
    if (reason !== 'write_failed') {
      this.stats.dropped++;
    }
    this.o.metrics?.dropped(reason);
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.dirty.size;
  }

  /** Writes everything waiting now, grown series included (a graceful stop; tests). */
  async flush(): Promise<void> {
    this.forcing++;
    try {
      for (let rounds = 0; this.running && this.dirty.size && rounds < this.o.maxAttempts; rounds++) {
        this.kick();
        await this.pumping;
      }
    } finally {
      this.forcing--;
    }
  }

  /** Per-object spam filter: a token bucket per regarding uid. */
  /** Forgets finished series and refilled buckets, at most once a minute (memory stays bounded by recent activity). */
  private sweep(now: number): void {
    if (now - this.lastSweepMs < 60_000) {
      return;
    }
    this.lastSweepMs = now;
    for (const [key, s] of this.series) {
      if (!this.dirty.has(s) && now - s.lastMs >= this.o.seriesWindowMs) {
        this.series.delete(key);
      }
    }
    this.spamFilter.sweep(now);
  }

  /** When a series may be written: a new Event at once, a grown one seriesFlushMs after its last write. */
  private readyAt(s: Series): number {
    return Math.max(s.retryAtMs, s.name === undefined ? 0 : s.lastWriteMs + this.o.seriesFlushMs);
  }

  private nextReady(now: number): Series | undefined {
    for (const s of this.dirty) {
      if (this.forcing || this.readyAt(s) <= now) {
        return s;
      }
    }
    return undefined;
  }

  /** Starts the writer if it is idle and something is ready, else sets a timer for when something will be. */
  private kick(): void {
    if (!this.running || this.pumping || !this.dirty.size) {
      return;
    }
    const now = this.o.clock.now();
    if (this.nextReady(now)) {
      if (this.timer) {
        this.o.clock.clearTimeout(this.timer);
      }
      this.timer = undefined;
      this.pumping = this.pump().finally(() => {
        this.pumping = undefined;
        this.kick();
      });
      return;
    }
    if (this.timer) {
      return;
    }
    let at = Infinity;
    for (const s of this.dirty) {
      at = Math.min(at, this.readyAt(s));
    }
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, at - now);
  }

  /** Writes ready series one at a time, each behind a token of the global bucket. */
  private async pump(): Promise<void> {
    for (;;) {
      if (!this.running) {
        return;
      }
      const next = this.nextReady(this.o.clock.now());
      if (!next) {
        return;
      }
      await Promise.race([this.global.wait(), this.stopped]);
      if (!this.running || !this.dirty.has(next)) {
        continue;
      }
      await this.write(next);
    }
  }

  private async write(s: Series): Promise<void> {
    const count = s.count;
    const series = count > 1 ? { count, lastObservedTime: microTime(s.lastMs) } : undefined;
    const verb = s.name === undefined ? 'create' : 'patch';
    try {
      if (s.name === undefined) {
        const body = this.body(s, series);
        await this.writer.create(body);
        s.name = body.metadata.name;
        this.stats.created++;
      } else {
        await this.writer.patchSeries(s.regarding.namespace, s.name, { series, note: s.occurrence.note });
        this.stats.seriesWrites++;
      }
      this.o.metrics?.written(verb, true);
      s.writtenCount = count;
      s.attempts = 0;
      s.retryAtMs = 0;
      s.lastWriteMs = this.o.clock.now();
      if (s.count === s.writtenCount) {
        this.dirty.delete(s);
      }
    } catch (err) {
      this.stats.failed++;
      this.o.metrics?.written(verb, false);
      if (verb === 'patch' && isNotFound(err)) {
        s.name = undefined; // expired (the apiserver's --event-ttl) or deleted: written anew
        return;
      }
      if (++s.attempts >= this.o.maxAttempts || apiError(err).code === 403) {
        this.dirty.delete(s);
        this.series.delete(s.key);
        this.drop('write_failed');
        this.o.log?.warn('event not written', {
          reason: s.occurrence.reason,
          regarding: `${s.regarding.namespace}/${s.regarding.name}`,
          error: apiError(err).message,
        });
        return;
      }
      s.retryAtMs = this.o.clock.now() + this.o.retryDelayMs;
    }
  }

  private body(s: Series, series: EventBody['series']): EventBody {
    const suffix = `.${randomBytes(8).toString('hex')}`;
    return {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: {
        name: `${s.regarding.name.slice(0, NAME_MAX - suffix.length).replace(/[.-]+$/, '')}${suffix}`,
        namespace: s.regarding.namespace,
      },
      eventTime: microTime(s.firstMs),
      ...(series ? { series } : {}),
      reportingController: this.o.controller,
      reportingInstance: this.o.instance,
      action: s.occurrence.action,
      reason: s.occurrence.reason,
      regarding: s.regarding,
      note: s.occurrence.note,
      type: s.occurrence.type,
    };
  }
}
