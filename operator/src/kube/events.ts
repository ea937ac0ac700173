// Kubernetes Events (events.k8s.io/v1) about Challenges, recorded the way client-go's recorders do it, so that
// `kubectl describe` tells an organizer what happened without the Events flooding the apiserver:
// - record() never waits and never throws: it updates memory; a writer sends the Events later, one at a time,
//   through the operator's rate-limited client, never on the reconcile path;
// - a repeat of the same Event (same object, type, reason, action and note) within 6 minutes is not a new object:
//   it raises the first one's `series.count`, written at most every `seriesFlushMs`, not per occurrence;
// - each object has a token bucket (25 Events, one more every 5 minutes, client-go's spam filter), all Event writes
//   together have one (`globalQps`/`globalBurst`), and at most `maxPending` Events wait to be written: beyond
//   that new ones are dropped and counted;
// - while the controllers have a backlog (`deferWhile`), Event writes wait, for at most `maxDeferMs` of it: with
//   1,000 Challenges created at once, their 1,000 Events were a seventh of the apiserver's writes during the start;
// - notes quote what players and challenge authors control: they are escaped and cut to the apiserver's 1 KiB.
// Time comes from the injected clock (timers included), so the unit tests drive it by hand.
import type { TimerHandle } from '../clock.ts';
import {
  withDefaults,
  type DropReason,
  type EventRecorderOptions,
  type ResolvedEventRecorderOptions,
} from './event-options.ts';
import { SeriesStore, type Series } from './event-series.ts';
import { SpamFilter } from './event-spam-filter.ts';
import {
  camelCase,
  newEventBody,
  restEventWriter,
  sanitizeNote,
  type EventOccurrence,
  type EventRegarding,
  type EventType,
  type EventWriter,
  type Regarding,
} from './event-writer.ts';
import { apiError, isNotFound } from './errors.ts';
import { microTime } from './leader-election.ts';
import { TokenBucket, type RateLimiter } from './rate-limiter.ts';
import type { RestClient } from './rest.ts';

/** How often held-back Event writes look at the controllers' backlog again. */
const DEFER_POLL_MS = 200;

export type { DropReason, EventRecorderOptions, EventRecorderStats } from './event-options.ts';

export class EventRecorder {
  private readonly writer: EventWriter;
  private readonly o: ResolvedEventRecorderOptions;
  private readonly global: RateLimiter;
  private readonly series: SeriesStore;
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
  /** Since when the writer has held Events back for the controllers' backlog (undefined: not holding). */
  private deferringSince?: number;
  /** Ends the writer's hold early (set while it holds). */
  private wake?: () => void;
  /** Counts for tests and the docs: Events created, series patches, repeats aggregated, records dropped, failed writes. */
  readonly stats = { created: 0, seriesWrites: 0, aggregated: 0, dropped: 0, failed: 0 };

  /** `target`: the operator's REST client, or (unit tests) a writer that keeps what would be written. */
  constructor(target: RestClient | EventWriter, opts: EventRecorderOptions) {
    this.writer =
      typeof (target as EventWriter).patchSeries === 'function'
        ? (target as EventWriter)
        : restEventWriter(target as RestClient);
    this.o = withDefaults(opts);
    this.global = new TokenBucket(this.o.globalQps, this.o.globalBurst, this.o.clock);
    this.spamFilter = new SpamFilter(this.o.burstPerObject, this.o.refillPerObjectMs);
    this.series = new SeriesStore(this.o.seriesWindowMs, this.o.seriesFlushMs);
  }

  /** Records again after stop() (leadership regained: only the leader records). */
  start(): void {
    if (this.running) {
      return;
    }
    this.stopped = new Promise((resolve) => (this.signalStop = resolve));
    this.running = true;
    this.deferringSince = undefined;
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
    if (this.series.joins(existing, now)) {
      existing.count++;
      existing.lastMs = now;
      existing.regarding = ref;
      this.stats.aggregated++;
      this.series.markDirty(existing);
      this.kick();
      return;
    }
    if (!this.spamFilter.allow(uid, now)) {
      return this.drop('spam_filter');
    }
    if (this.series.pending >= this.o.maxPending) {
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
    this.series.startNew(s, existing);
    if (this.series.pending >= this.o.maxPending * 0.9) {
      this.wake?.();
    }
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
    return this.series.pending;
  }

  /** Writes everything waiting now, grown series included (a graceful stop; tests). */
  async flush(): Promise<void> {
    this.forcing++;
    this.wake?.(); // a writer holding Events back for the backlog writes them now
    try {
      for (let rounds = 0; this.running && this.series.pending && rounds < this.o.maxAttempts; rounds++) {
        this.kick();
        await this.pumping;
      }
    } finally {
      this.forcing--;
    }
  }

  /** Forgets finished series and refilled buckets, at most once a minute (memory stays bounded by recent activity). */
  private sweep(now: number): void {
    if (now - this.lastSweepMs < 60_000) {
      return;
    }
    this.lastSweepMs = now;
    this.series.sweep(now);
    this.spamFilter.sweep(now);
  }

  /** Starts the writer if it is idle and something is ready, else sets a timer for when something will be. */
  private kick(): void {
    if (!this.running || this.pumping || !this.series.pending) {
      return;
    }
    const now = this.o.clock.now();
    if (this.series.nextReady(now, this.forcing > 0)) {
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
    const at = this.series.earliestReadyAt();
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
      const now = this.o.clock.now();
      const next = this.series.nextReady(now, this.forcing > 0);
      if (!next) {
        return;
      }
      const hold = this.holdMs(now);
      if (hold > 0) {
        await this.pause(hold);
        continue;
      }
      await Promise.race([this.global.wait(), this.stopped]);
      if (!this.running || !this.series.isDirty(next)) {
        continue;
      }
      await this.write(next);
    }
  }

  /**
   * How long to hold Event writes back now (0: write): while the controllers have keys waiting, for at most
   * maxDeferMs of a continuous backlog, unless a flush asks for everything or the waiting Events near maxPending
   * (holding them must not make new ones drop). Looked at again every DEFER_POLL_MS.
   */
  private holdMs(now: number): number {
    if (!this.o.deferWhile || this.forcing > 0 || !this.o.deferWhile()) {
      this.deferringSince = undefined;
      return 0;
    }
    if (this.series.pending >= this.o.maxPending * 0.9) {
      return 0;
    }
    this.deferringSince ??= now;
    const left = this.deferringSince + this.o.maxDeferMs - now;
    return left > 0 ? Math.min(left, DEFER_POLL_MS) : 0;
  }

  /** Waits ms, or until stop() or a record that brings the waiting Events near maxPending. */
  private pause(ms: number): Promise<void> {
    let timer: TimerHandle | undefined;
    const woken = new Promise<void>((resolve) => {
      this.wake = resolve;
      timer = this.o.clock.setTimeout(resolve, ms);
    });
    return Promise.race([woken, this.stopped]).finally(() => {
      this.o.clock.clearTimeout(timer!);
      this.wake = undefined;
    });
  }

  private async write(s: Series): Promise<void> {
    const count = s.count;
    const series = count > 1 ? { count, lastObservedTime: microTime(s.lastMs) } : undefined;
    const verb = s.name === undefined ? 'create' : 'patch';
    try {
      if (s.name === undefined) {
        const body = newEventBody(s, series, this.o.controller, this.o.instance);
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
      this.series.written(s);
    } catch (err) {
      this.stats.failed++;
      this.o.metrics?.written(verb, false);
      if (verb === 'patch' && isNotFound(err)) {
        s.name = undefined; // expired (the apiserver's --event-ttl) or deleted: written anew
        return;
      }
      if (++s.attempts >= this.o.maxAttempts || apiError(err).code === 403) {
        this.series.forget(s);
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
}
