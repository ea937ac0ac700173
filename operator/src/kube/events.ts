// Kubernetes Events (events.k8s.io/v1) about Challenges, recorded the way client-go's recorders do it so a busy
// event cannot flood the apiserver:
// - a repeat of the same Event (same object, type, reason, action and note) within 6 minutes is not a new object:
//   it raises the first one's `series.count`, written at most every `seriesFlushMs`;
// - each object has a token bucket (25 Events, one more every 5 minutes, like client-go's spam filter);
// - Events are sent in the background from a bounded queue, through the operator's rate-limited client, and never
//   hold up a reconcile; what does not fit is dropped and counted.
import { randomBytes } from 'node:crypto';
import { realClock, type Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { microTime } from './leader-election.ts';
import type { RestClient } from './rest.ts';

export type EventType = 'Normal' | 'Warning';

export interface Regarding {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export interface EventRecorderOptions {
  /** reportingController, e.g. hexactf.io/challenge-operator. */
  controller: string;
  /** reportingInstance: this replica. */
  instance: string;
  clock?: Clock;
  log?: Logger;
  /** Per object: Events allowed at once, and how often one more is allowed (client-go: 25, 5 min). */
  burstPerObject?: number;
  refillPerObjectMs?: number;
  /** How often repeats are written to their Event's series (client-go: 30 s). */
  seriesFlushMs?: number;
  /** Repeats within this long join the same Event (client-go: 6 min). */
  seriesWindowMs?: number;
  /** Events waiting to be sent at most; beyond, new ones are dropped. */
  maxPending?: number;
}

interface Series {
  namespace: string;
  name: Promise<string | undefined>; // the created Event's name, once created (undefined if the create failed)
  count: number;
  written: number;
  lastObserved: number;
}

const NOTE_MAX = 1024; // events.k8s.io/v1 refuses longer notes
const NAME_MAX = 253;

export class EventRecorder {
  private readonly rest: RestClient;
  private readonly o: Required<Omit<EventRecorderOptions, 'log'>> & { log?: Logger };
  private readonly series = new Map<string, Series>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly queue: Array<() => Promise<void>> = [];
  private sending?: Promise<void>;
  private timer?: ReturnType<typeof setInterval>;
  /** Counts for tests and the docs. */
  readonly stats = { created: 0, seriesWrites: 0, aggregated: 0, dropped: 0, failed: 0 };

  constructor(rest: RestClient, opts: EventRecorderOptions) {
    this.rest = rest;
    this.o = {
      clock: realClock, burstPerObject: 25, refillPerObjectMs: 5 * 60_000, seriesFlushMs: 30_000, seriesWindowMs: 6 * 60_000,
      maxPending: 1000, ...opts,
    };
    this.timer = setInterval(() => this.flushSeries(), this.o.seriesFlushMs);
    this.timer.unref();
  }

  /** Records an Event about `regarding`; returns at once (the write happens in the background). */
  record(regarding: Regarding, type: EventType, reason: string, action: string, note: string): void {
    const uid = regarding.metadata.uid ?? `${regarding.metadata.namespace}/${regarding.metadata.name}`;
    const text = note.length > NOTE_MAX ? `${note.slice(0, NOTE_MAX - 3)}...` : note;
    const key = [uid, type, reason, action, text].join('\0');
    const now = this.o.clock.now();
    const known = this.series.get(key);
    if (known && now - known.lastObserved < this.o.seriesWindowMs) {
      known.count++;
      known.lastObserved = now;
      this.stats.aggregated++;
      return;
    }
    if (!this.take(uid, now) || this.queue.length >= this.o.maxPending) {
      this.stats.dropped++;
      return;
    }
    const namespace = regarding.metadata.namespace ?? 'default';
    let resolveName!: (name: string | undefined) => void;
    const s: Series = { namespace, name: new Promise((r) => (resolveName = r)), count: 1, written: 1, lastObserved: now };
    this.series.set(key, s);
    const base = regarding.metadata.name.slice(0, NAME_MAX - 17);
    const body = {
      apiVersion: 'events.k8s.io/v1', kind: 'Event',
      metadata: { name: `${base}.${now.toString(16)}${randomBytes(2).toString('hex')}`, namespace },
      eventTime: microTime(now),
      reportingController: this.o.controller,
      reportingInstance: this.o.instance.slice(0, 128),
      action, reason, type, note: text,
      regarding: {
        apiVersion: regarding.apiVersion, kind: regarding.kind, namespace: regarding.metadata.namespace,
        name: regarding.metadata.name, uid: regarding.metadata.uid, resourceVersion: regarding.metadata.resourceVersion,
      },
    };
    this.enqueue(async () => {
      try {
        await this.rest.request('POST', `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`, { body });
        this.stats.created++;
        resolveName(body.metadata.name);
      } catch (err) {
        this.stats.failed++;
        this.o.log?.debug('event not recorded', { reason, error: (err as Error).message });
        resolveName(undefined);
      }
    });
  }

  /** Writes the repeats seen since the last flush into their Events' series, and forgets series that went quiet. */
  flushSeries(): void {
    const now = this.o.clock.now();
    for (const [key, s] of this.series) {
      if (s.count > s.written) {
        const count = s.count;
        const last = s.lastObserved;
        s.written = count;
        this.enqueue(async () => {
          const name = await s.name;
          if (!name) return;
          try {
            await this.rest.request('PATCH', `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(s.namespace)}/events/${encodeURIComponent(name)}`, {
              body: { series: { count, lastObservedTime: microTime(last) } },
              contentType: 'application/merge-patch+json',
            });
            this.stats.seriesWrites++;
          } catch (err) {
            this.stats.failed++;
            this.o.log?.debug('event series not written', { error: (err as Error).message });
          }
        }, true);
      } else if (now - s.lastObserved >= this.o.seriesWindowMs) {
        this.series.delete(key);
      }
    }
    for (const [uid, b] of this.buckets) if (now - b.at > this.o.refillPerObjectMs * this.o.burstPerObject) this.buckets.delete(uid);
  }

  /** Sends everything recorded so far (series included); for tests and shutdown. */
  async flush(): Promise<void> {
    this.flushSeries();
    while (this.sending) await this.sending;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** The per-object token bucket. */
  private take(uid: string, now: number): boolean {
    const b = this.buckets.get(uid) ?? { tokens: this.o.burstPerObject, at: now };
    b.tokens = Math.min(this.o.burstPerObject, b.tokens + (now - b.at) / this.o.refillPerObjectMs);
    b.at = now;
    this.buckets.set(uid, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private enqueue(job: () => Promise<void>, always = false): void {
    if (!always && this.queue.length >= this.o.maxPending) {
      this.stats.dropped++;
      return;
    }
    this.queue.push(job);
    this.sending ??= (async () => {
      // Two at a time: Events are never urgent, and the rate limiter paces them with everything else.
      const worker = async () => {
        for (let job = this.queue.shift(); job; job = this.queue.shift()) await job();
      };
      while (this.queue.length) await Promise.all([worker(), worker()]);
      this.sending = undefined;
    })();
  }
}
