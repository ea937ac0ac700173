// The Challenge reconciler: level-triggered, idempotent. Every run reads the caches, asks the state table
// (decision.ts) what to do, makes the observations a row asks for (quota position, child sync, cleanup), and
// carries the decision out: the status write (at most once: merge patch on the status subresource, guarded by
// resourceVersion), the Events the decision lists, deleting the Challenge or releasing its finalizer, a requeue.
// It decides nothing itself.
import { NO_STATE } from '@hexactf/contract';
import { FINALIZER, objectKey, timeMs, type Challenge, type ChallengeStatus, type State } from '../api/types.ts';
import type { Clock } from '../clock.ts';
import type { KubeClient } from '../kube/client.ts';
import { isConflict, isNotFound } from '../kube/errors.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { Logger } from '../log.ts';
import type { LifecycleMetrics } from '../metrics/lifecycle-metrics.ts';
import type { Admission } from './admission.ts';
import type { Caches } from './caches.ts';
import { deleteChildren } from './child-cleanup.ts';
import { ChildSync, type ChildrenOutcome } from './child-sync.ts';
import { decide } from './decision.ts';
import type { ChallengeEvent, Decision, DecisionOptions, Facts } from './facts.ts';
import type { NetworkIsolation } from './network-policy.ts';
import type { ChildPolicy } from './child-policy.ts';
import type { QuotaLines } from './quota-line.ts';
import { RequeueError, TransientError, type Result } from './result.ts';
import { stableJson } from './status.ts';

export type ReconcileOptions = DecisionOptions & { childPolicy?: ChildPolicy; isolation?: NetworkIsolation };

/** Where the reconciler's Events go (nothing with --emit-events=false). */
type EventTarget = Pick<EventRecorder, 'record'>;

const noEvents: EventTarget = { record() {} };

interface ReconcilerDeps {
  caches: Caches;
  client: KubeClient;
  opts: ReconcileOptions;
  clock: Clock;
  lifecycle: Pick<LifecycleMetrics, 'transition' | 'timeToRunning' | 'lifetime'>;
  log: Logger;
  admission: Admission;
  lines: QuotaLines;
  events?: EventTarget;
}

export class Reconciler {
  private readonly caches: Caches;
  private readonly client: KubeClient;
  private readonly opts: ReconcileOptions;
  private readonly clock: Clock;
  private readonly lifecycle: ReconcilerDeps['lifecycle'];
  private readonly log: Logger;
  private readonly admission: Admission;
  private readonly lines: QuotaLines;
  private readonly events: EventTarget;
  private readonly children: ChildSync;
  /**
   * resourceVersions of Challenges that our own writes replaced, until the cache shows a newer one. A reconcile
   * on such a version would only redo the write and get 409: the watch event of our write triggers the next one.
   */
  private readonly superseded = new Map<string, Set<string>>();

  constructor(deps: ReconcilerDeps) {
    this.admission = deps.admission;
    this.lines = deps.lines;
    this.events = deps.events ?? noEvents;
    this.caches = deps.caches;
    this.client = deps.client;
    this.opts = deps.opts;
    this.clock = deps.clock;
    this.lifecycle = deps.lifecycle;
    this.log = deps.log;
    this.children = new ChildSync({
      caches: deps.caches,
      client: deps.client,
      log: deps.log,
      policy: deps.opts.childPolicy,
      isolation: deps.opts.isolation,
    });
  }

  async reconcile(key: string): Promise<Result> {
    const ch = this.caches.challenges.get(key);
    if (!ch) {
      this.superseded.delete(key);
      return {}; // gone: its metric tombstone is kept by the collector
    }
    if (this.isSuperseded(key, ch)) {
      return {};
    }
    return this.reconcileChallenge(ch);
  }

  private isSuperseded(key: string, ch: Challenge): boolean {
    const old = this.superseded.get(key);
    if (!old) {
      return false;
    }
    if (old.has(ch.metadata.resourceVersion ?? '')) {
      return true;
    }
    this.superseded.delete(key);
    return false;
  }

  /** A write of ours replaced this version of the Challenge. */
  private replaced(ch: Challenge): void {
    const key = objectKey(ch);
    const old = this.superseded.get(key) ?? new Set<string>();
    old.add(ch.metadata.resourceVersion ?? '');
    this.superseded.set(key, old);
  }

  private async setFinalizers(ch: Challenge, finalizers: string[]): Promise<Challenge> {
    const updated = await this.guard(() => this.client.setFinalizers(ch, finalizers));
    this.replaced(ch);
    return updated;
  }

  private async reconcileChallenge(cached: Challenge): Promise<Result> {
    let ch = cached;
    // The finalizer is written alongside the first child (the NetworkPolicy), not before it: one round trip less
    // per new Challenge. The workloads and the status write wait for it, so a refused finalizer (409) creates no
    // workload; a Challenge deleted in that moment leaves at most its policy, which its ownerReference lets the
    // garbage collector remove.
    let finalizing: Promise<Challenge> | undefined;
    if (!ch.metadata.deletionTimestamp && !(ch.metadata.finalizers ?? []).includes(FINALIZER)) {
      finalizing = this.setFinalizers(ch, [...(ch.metadata.finalizers ?? []), FINALIZER]);
      finalizing.catch(() => {}); // awaited below; a failure meanwhile is not an unhandled rejection
    }
    const finalized = async (): Promise<Challenge> => {
      if (finalizing) {
        const pending = finalizing;
        finalizing = undefined;
        ch = await pending;
      }
      return ch;
    };

    const facts: Facts = {
      challenge: ch,
      definition: this.caches.definitions.get(`${ch.metadata.namespace}/${ch.spec.definition}`),
      now: this.clock.now(),
      options: this.opts,
      slotHeld: this.opts.maxPerUser > 0 ? this.admission.holds(ch) : undefined,
    };
    let outcome: ChildrenOutcome | undefined;
    let decision = decide(facts);
    while ('need' in decision) {
      if (decision.need === 'quota') {
        facts.quota = { ahead: this.lines.ahead(ch, this.admission, this.opts.maxPerUser) };
      } else if (decision.need === 'cleanup') {
        facts.cleanup = await deleteChildren(this.caches, this.client, ch);
      } else {
        // Same turn of the event loop as the quota check that allowed it (see decision.ts admits()).
        if (decision.admit) {
          this.admission.admit(ch);
        }
        outcome = await this.children.converge(ch, finalized);
        facts.children = outcome;
      }
      decision = decide(facts);
    }
    return this.carryOut(cached, await finalized(), decision, outcome);
  }

  /** `cached`: the version the children were converged for (the Events about them regard it). */
  private async carryOut(
    cached: Challenge,
    ch: Challenge,
    d: Decision,
    outcome: ChildrenOutcome | undefined
  ): Promise<Result> {
    this.log.debug('decided', { challenge: objectKey(ch), row: d.row });
    if (d.note) {
      this.log.info(d.note, { challenge: objectKey(ch) });
    }
    this.record(cached, d, 'children');
    if (outcome?.pruneError) {
      throw outcome.pruneError.error;
    }
    if (d.status) {
      ch = await this.writeStatus(ch, d.status, d);
    }
    // A transient failure (apiserver 5xx, timeouts) is visible in status first, then retried with backoff,
    // and no later than the requeue the decision asked for (the pending timeout must not wait for the backoff).
    if (d.retry) {
      throw new TransientError(outcome?.retryError, d.requeueAfterMs);
    }
    if (d.deleteChallenge) {
      await this.client.deleteChallenge(ch);
      this.record(ch, d, 'delete');
      return {};
    }
    if (d.removeFinalizer) {
      await this.setFinalizers(
        ch,
        (ch.metadata.finalizers ?? []).filter((f) => f !== FINALIZER)
      );
      const created = timeMs(ch.metadata.creationTimestamp);
      if (created !== undefined) {
        const seconds = Math.max(0, this.clock.now() - created) / 1000;
        this.lifecycle.lifetime(ch.metadata.namespace!, ch.spec.definition, seconds);
      }
    }
    return d.requeueAfterMs === undefined ? {} : { requeueAfterMs: d.requeueAfterMs };
  }

  /** Records the decision's Events that report `after` (which has just gone through). */
  private record(regarding: Challenge, d: Decision, after: ChallengeEvent['after']): void {
    for (const e of d.events ?? []) {
      if (e.after === after) {
        this.events.record(regarding, e.type, e.reason, e.action, e.note);
      }
    }
  }

  /** The single status write of a reconcile; skipped when nothing changed. */
  private async writeStatus(ch: Challenge, status: ChallengeStatus, d: Decision): Promise<Challenge> {
    const before = ch.status ?? {};
    if (stableJson(before) === stableJson(status)) {
      return ch;
    }
    const updated = await this.guard(() => this.client.patchChallengeStatus(ch, status));
    this.replaced(ch);
    // Events and metrics only once the write went through, so a retried reconcile does not count twice.
    this.record(updated, d, 'status');
    const prevState: State | undefined = before.currentStatus?.state;
    const next = status.currentStatus?.state;
    if (next && next !== prevState) {
      this.lifecycle.transition(ch.metadata.namespace!, prevState ?? NO_STATE, next);
      if (next === 'Running') {
        const since = timeMs(status.pendingSince) ?? timeMs(ch.metadata.creationTimestamp);
        const at = timeMs(status.startedAt) ?? this.clock.now();
        if (since !== undefined) {
          this.lifecycle.timeToRunning(ch.metadata.namespace!, ch.spec.definition, Math.max(0, at - since) / 1000);
        }
      }
    }
    return updated;
  }

  /** 409 means our view was stale: requeue (the fresh object is on its way through the watch). */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isConflict(err)) {
        throw new RequeueError('conflict: object changed, requeue');
      }
      if (isNotFound(err)) {
        throw new RequeueError('object is gone');
      }
      throw err;
    }
  }
}
