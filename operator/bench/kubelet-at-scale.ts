// The benches' kubelet at scale: each Deployment of a namespace reported available `delayMs` after it is first
// seen (pods that become ready within seconds), as the Deployments appear, not once they all exist. One list, then
// a watch from its resourceVersion with the operator's keep-alive client (bench/deployments-available.ts's status
// write, at most `inFlight` at a time); a watch the apiserver ends is started again from a new list, and a
// Deployment already marked is not marked twice. Its own lag is kept, so a slow stand-in is told from a slow
// operator: seen -> marked beyond the delay, and created (creationTimestamp, whole seconds) -> marked.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RestClient } from '../src/kube/rest.ts';
import { challengeOf, deploymentsPath, markAvailable, type Deployment } from './deployments-available.ts';

export interface KubeletAtScaleOptions {
  /** Seen -> reported available, ms. */
  delayMs: number;
  /** Status writes in flight at most. */
  inFlight?: number;
  /** Called once a Challenge's Deployment was reported available. */
  onMarked?: (challenge: string) => void;
}

/** The stand-in's lag, sorted (ms), the Deployments it marked, its watch restarts and the writes it sent again. */
export interface KubeletLag {
  beyondDelayMs: number[];
  createdToMarkedMs: number[];
  marked: number;
  restarts: number;
  retries: number;
}

interface Due {
  d: Deployment;
  seenAt: number;
}

export class KubeletAtScale {
  /** When each Challenge's Deployment was reported available (performance.now()). */
  readonly markedAt = new Map<string, number>();
  /** Per Deployment marked: seen -> marked, less the delay (the stand-in's own queue and write), ms. */
  readonly beyondDelayMs: number[] = [];
  /** Per Deployment marked: creationTimestamp -> marked by the wall clock (the timestamp is whole seconds), ms. */
  readonly createdToMarkedMs: number[] = [];
  /** Watches started again, and status writes sent again after a failure. */
  restarts = 0;
  retries = 0;
  private readonly seen = new Set<string>();
  private readonly queue: Due[] = [];
  private head = 0;
  private waiters: Array<() => void> = [];
  private stream?: { abort(): void };
  private stopped = false;
  private workers: Array<Promise<void>> = [];
  private readonly rest: RestClient;
  private readonly namespace: string;
  private readonly opts: Required<Omit<KubeletAtScaleOptions, 'onMarked'>> & KubeletAtScaleOptions;

  private constructor(rest: RestClient, namespace: string, opts: KubeletAtScaleOptions) {
    this.rest = rest;
    this.namespace = namespace;
    this.opts = { inFlight: 50, ...opts };
  }

  /** Resolves once the first list is taken and the watch accepted. */
  static async start(rest: RestClient, namespace: string, opts: KubeletAtScaleOptions): Promise<KubeletAtScale> {
    const k = new KubeletAtScale(rest, namespace, opts);
    k.workers = Array.from({ length: k.opts.inFlight }, () => k.work());
    await k.listAndWatch();
    return k;
  }

  private async listAndWatch(): Promise<void> {
    const path = deploymentsPath(this.namespace);
    const list = await this.rest.request<{ items: Deployment[]; metadata: { resourceVersion: string } }>('GET', path);
    list.items.forEach((d) => this.note(d));
    this.stream = await this.rest.watch(
      path,
      { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: false },
      (type, obj) => (type === 'ADDED' || type === 'MODIFIED') && this.note(obj as Deployment),
      () => this.restart()
    );
  }

  private restart(): void {
    if (this.stopped) {
      return;
    }
    this.restarts++;
    this.listAndWatch().catch(async (err) => {
      process.stderr.write(`kubelet at scale: ${String(err)}\n`);
      await sleep(500);
      this.restart();
    });
  }

  private note(d: Deployment): void {
    if (this.seen.has(d.metadata.name)) {
      return;
    }
    this.seen.add(d.metadata.name);
    this.queue.push({ d, seenAt: performance.now() });
    this.waiters.shift()?.();
  }

  /** One of `inFlight` loops: the oldest Deployment seen, once due (the same delay for all: FIFO is due order). */
  private async work(): Promise<void> {
    while (!this.stopped) {
      if (this.head === this.queue.length) {
        await new Promise<void>((wake) => this.waiters.push(wake));
        continue;
      }
      // Waiting for the due time holds no write slot: the loop takes the Deployment only once it is due.
      const wait = this.queue[this.head].seenAt + this.opts.delayMs - performance.now();
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      const { d, seenAt } = this.queue[this.head++];
      while (!this.stopped) {
        try {
          await markAvailable(this.rest, this.namespace, d);
          break;
        } catch {
          this.retries++;
          await sleep(200);
        }
      }
      if (this.stopped) {
        return;
      }
      const now = performance.now();
      this.beyondDelayMs.push(now - seenAt - this.opts.delayMs);
      if (d.metadata.creationTimestamp) {
        this.createdToMarkedMs.push(Date.now() - Date.parse(d.metadata.creationTimestamp));
      }
      const challenge = challengeOf(d);
      if (challenge) {
        this.markedAt.set(challenge, now);
        this.opts.onMarked?.(challenge);
      }
    }
  }

  lag(): KubeletLag {
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    return {
      beyondDelayMs: sorted(this.beyondDelayMs),
      createdToMarkedMs: sorted(this.createdToMarkedMs),
      marked: this.beyondDelayMs.length,
      restarts: this.restarts,
      retries: this.retries,
    };
  }

  /** Ends the watch and the loops (a write in flight is answered first). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stream?.abort();
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
    await Promise.all(this.workers);
  }
}
