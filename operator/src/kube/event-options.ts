// The EventRecorder's options (client-go's recorder limits by default), and the counters it reports to /metrics.
import { realClock, type Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { FIELD_MAX, truncateUtf8 } from './event-writer.ts';

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
  /**
   * While this says so (the controllers have keys waiting), Event writes wait: the reconciles' writes go first. For
   * at most `maxDeferMs` of a continuous backlog, and never while the waiting Events fill 90 % of `maxPending`.
   */
  deferWhile?: () => boolean;
  maxDeferMs?: number;
}

export type ResolvedEventRecorderOptions = Required<Omit<EventRecorderOptions, 'metrics' | 'log' | 'deferWhile'>> & {
  metrics?: EventRecorderStats;
  log?: Logger;
  deferWhile?: () => boolean;
};

export function withDefaults(opts: EventRecorderOptions): ResolvedEventRecorderOptions {
  return {
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
    maxDeferMs: 30_000,
    ...opts,
    instance: truncateUtf8(opts.instance, FIELD_MAX),
  };
}
