// The Challenge reconciler: level-triggered, idempotent. Every run reads the caches, asks the state table
// (decision.ts) what to do, and carries the decision out: converge or delete children, write status at most once
// (merge patch on the status subresource, guarded by resourceVersion), delete the Challenge, requeue.
import { NO_STATE } from '@hexactf/contract';
import { DEPLOYMENTS, NETWORK_POLICIES, SERVICES, apiVersionOf, type ResourceRef } from '../api/resources.ts';
import {
  FINALIZER,
  objectKey,
  timeMs,
  type Challenge,
  type ChallengeStatus,
  type KubeObject,
  type State,
} from '../api/types.ts';
import type { Clock } from '../clock.ts';
import type { ChildRef, KubeClient } from '../kube/client.ts';
import { apiError, isConflict, isNotFound, isPermanent } from '../kube/errors.ts';
import type { Logger } from '../log.ts';
import type { Admission } from './admission.ts';
import { INDEX_OWNER, type Caches } from './caches.ts';
import { childRefs, desiredChildren, type DesiredChild } from './children.ts';
import {
  decide,
  type ChildrenFacts,
  type CleanupFacts,
  type Decision,
  type DecisionOptions,
  type Facts,
  type Need,
  type QuotaFacts,
} from './decision.ts';
import type { NetworkIsolation } from './network-policy.ts';
import { DefinitionRefused, type ChildPolicy } from './pod-policy.ts';
import type { QuotaLines } from './quota-line.ts';
import { RequeueError, TransientError, type Result } from './result.ts';
import { COND_DELETING, COND_READY, getCondition, isSubset, stableJson } from './status.ts';

export type ReconcileOptions = DecisionOptions & { childPolicy?: ChildPolicy; isolation?: NetworkIsolation };

export interface Recorder {
  transition(namespace: string, from: string, to: string): void;
  timeToRunning(namespace: string, definition: string, seconds: number): void;
  lifetime(namespace: string, definition: string, seconds: number): void;
}

/** Where the reconciler's Kubernetes Events go (kube/events.ts EventRecorder; nothing with --emit-events=false). */
export interface EventSink {
  record(regarding: Challenge, type: 'Normal' | 'Warning', reason: string, action: string, note: string): void;
}

const noEvents: EventSink = { record() {} };

const POD_FAILURE_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'CrashLoopBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
]);

/** What converging children found out, with the error to retry with when a child failed for now. */
type ChildrenOutcome = ChildrenFacts & { retryError?: unknown };

function ownedBy(obj: KubeObject, ch: Challenge): boolean {
  return (obj.metadata.ownerReferences ?? []).some((o) => o.uid === ch.metadata.uid);
}

export class Reconciler {
  private readonly caches: Caches;
  private readonly client: KubeClient;
  private readonly opts: ReconcileOptions;
  private readonly clock: Clock;
  private readonly recorder: Recorder;
  private readonly log: Logger;
  private readonly admission: Admission;
  private readonly lines: QuotaLines;
  private readonly events: EventSink;
  /**
   * resourceVersions of Challenges that our own writes replaced, until the cache shows a newer one. A reconcile
   * on such a version would only redo the write and get 409: the watch event of our write triggers the next one.
   */
  private readonly superseded = new Map<string, Set<string>>();

  constructor(deps: {
    caches: Caches;
    client: KubeClient;
    opts: ReconcileOptions;
    clock: Clock;
    recorder: Recorder;
    log: Logger;
    admission: Admission;
    lines: QuotaLines;
    events?: EventSink;
  }) {
    this.admission = deps.admission;
    this.lines = deps.lines;
    this.events = deps.events ?? noEvents;
    this.caches = deps.caches;
    this.client = deps.client;
    this.opts = deps.opts;
    this.clock = deps.clock;
    this.recorder = deps.recorder;
    this.log = deps.log;
  }

  /** Each kind of child with its cache and API resource. */
  private childKinds(): Array<{ cache: Caches['deployments']; ref: ResourceRef }> {
    return [
      { cache: this.caches.deployments, ref: DEPLOYMENTS },
      { cache: this.caches.services, ref: SERVICES },
      { cache: this.caches.networkPolicies, ref: NETWORK_POLICIES },
    ];
  }

  private childKind(kind: string): { cache: Caches['deployments']; ref: ResourceRef } {
    const found = this.childKinds().find((k) => k.ref.kind === kind);
    if (!found) {
      throw new Error(`unknown child kind ${kind}`);
    }
    return found;
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
    };
    let retryError: unknown;
    let decision = decide(facts);
    while ('need' in decision) {
      const need: Need = decision.need;
      if (need === 'quota') {
        facts.quota = this.observeQuota(ch);
      } else if (need === 'cleanup') {
        facts.cleanup = await this.deleteChildren(ch);
      } else {
        // Getting children takes a slot, noted in the same turn of the event loop as the quota check that allowed
        // it (no await in between), so the user's other reconciles count it before the cache shows it.
        if (this.opts.maxPerUser > 0 && !this.admission.holds(ch)) {
          this.admission.admit(ch);
        }
        ({ retryError, ...facts.children } = await this.convergeChildren(ch, finalized));
      }
      decision = decide(facts);
    }
    return this.carryOut(await finalized(), decision, retryError);
  }

  private async carryOut(ch: Challenge, d: Decision, retryError: unknown): Promise<Result> {
    this.log.debug('decided', { challenge: objectKey(ch), row: d.row });
    if (d.note) {
      this.log.info(d.note, { challenge: objectKey(ch) });
    }
    if (d.status) {
      ch = await this.writeStatus(ch, d.status);
    }
    // A transient failure (apiserver 5xx, timeouts) is visible in status first, then retried with backoff,
    // and no later than the requeue the decision asked for (the pending timeout must not wait for the backoff).
    if (d.retry) {
      throw new TransientError(retryError, d.requeueAfterMs);
    }
    if (d.deleteChallenge) {
      await this.client.deleteChallenge(ch);
      if (d.row === 'ttl-expired') {
        this.events.record(ch, 'Normal', 'TTLExpired', 'Delete', d.note ?? 'challenge TTL expired; deleting');
      } else if (d.row === 'quota-wait-expired') {
        this.events.record(
          ch,
          'Normal',
          'QuotaWaitExpired',
          'Delete',
          d.note ?? 'waited too long for a quota slot; deleting'
        );
      } else {
        this.events.record(
          ch,
          'Warning',
          'DeletedOnError',
          'Delete',
          `${ch.status?.currentStatus?.errorMsg ?? 'terminal error'}; deleting (--delete-on-error)`
        );
      }
      return {};
    }
    if (d.removeFinalizer) {
      await this.setFinalizers(
        ch,
        (ch.metadata.finalizers ?? []).filter((f) => f !== FINALIZER)
      );
      const created = timeMs(ch.metadata.creationTimestamp);
      if (created !== undefined) {
        this.recorder.lifetime(
          ch.metadata.namespace!,
          ch.spec.definition,
          Math.max(0, this.clock.now() - created) / 1000
        );
      }
    }
    return d.requeueAfterMs === undefined ? {} : { requeueAfterMs: d.requeueAfterMs };
  }

  private observeQuota(ch: Challenge): QuotaFacts {
    return { ahead: this.lines.ahead(ch, this.admission, this.opts.maxPerUser) };
  }

  /**
   * Creates, restores and prunes children, then reads their state from the caches. A refusal for good
   * (400/403/422) is `refused`; other failures are `retrying` (the other children are still attempted).
   */
  private async convergeChildren(ch: Challenge, finalized: () => Promise<Challenge>): Promise<ChildrenOutcome> {
    const def = this.caches.definitions.get(`${ch.metadata.namespace}/${ch.spec.definition}`)!;
    let desired: DesiredChild[];
    try {
      desired = desiredChildren(ch, def, this.opts.childPolicy, this.opts.isolation);
    } catch (err) {
      if (!(err instanceof DefinitionRefused)) {
        throw err;
      }
      return { definitionRefused: `definition ${def.metadata.name} refused: ${err.message}`, unavailable: [] };
    }
    const wanted = new Set(desired.map((child) => `${child.kind}/${objectKey(child.object)}`));
    // Isolation first: an instance's pods never run before the NetworkPolicy that confines them exists. The other
    // children are independent: converge them concurrently, one round trip per reconcile instead of one per child
    // (with 1,000 Challenges created at once this is most of the time to converge).
    const ensure = (children: DesiredChild[]) => Promise.all(children.map((child) => this.ensureChild(ch, child)));
    const [policies, finalizer] = await Promise.allSettled([
      ensure(desired.filter((child) => child.kind === 'NetworkPolicy')),
      finalized(),
    ]);
    if (finalizer.status === 'rejected') {
      throw finalizer.reason;
    }
    if (policies.status === 'rejected') {
      throw policies.reason;
    }
    const isolated = policies.value;
    const blocked = isolated.some((o) => o.refused || o.nameConflict || o.retrying);
    // Listed as the definition renders them (workloads, then the policy), as the ChildrenCreated note shows them.
    const outcomes = blocked
      ? isolated
      : [...(await ensure(desired.filter((child) => child.kind !== 'NetworkPolicy'))), ...isolated];
    const created = outcomes.flatMap((o) => (o.created ? [o.created] : []));
    const restored = outcomes.flatMap((o) => (o.restored ? [o.restored] : []));
    if (created.length) {
      this.events.record(ch, 'Normal', 'ChildrenCreated', 'Create', `created ${created.join(', ')}`);
    }
    if (restored.length) {
      this.events.record(
        ch,
        'Normal',
        'ChildrenRestored',
        'Update',
        `restored ${restored.join(', ')} (changed or deleted by someone else)`
      );
    }
    const nameConflict = outcomes.find((o) => o.nameConflict)?.nameConflict;
    if (nameConflict) {
      return { nameConflict, unavailable: [] };
    }
    const refused = outcomes.find((o) => o.refused)?.refused;
    if (refused) {
      return { refused, unavailable: [] };
    }
    const failed = outcomes.find((o) => o.retrying);
    // Children of components that left the definition.
    const owner = objectKey(ch);
    for (const { cache, ref } of this.childKinds()) {
      for (const obj of cache.byIndex(INDEX_OWNER, owner)) {
        if (!wanted.has(`${ref.kind}/${objectKey(obj)}`) && !obj.metadata.deletionTimestamp) {
          await this.client.deleteChild({
            apiVersion: apiVersionOf(ref),
            kind: ref.kind,
            namespace: obj.metadata.namespace!,
            name: obj.metadata.name,
          });
        }
      }
    }
    return {
      retrying: failed?.retrying,
      retryError: failed?.retryError,
      unavailable: this.unavailableDeployments(ch, desired),
      podFailure: this.podFailure(ch),
      endpoint: this.endpoint(ch, desired),
    };
  }

  private async ensureChild(
    ch: Challenge,
    child: DesiredChild
  ): Promise<{
    refused?: string;
    nameConflict?: string;
    retrying?: string;
    retryError?: unknown;
    created?: string;
    restored?: string;
  }> {
    const actual = this.childKind(child.kind).cache.get(objectKey(child.object));
    if (actual?.metadata.deletionTimestamp) {
      return {};
    } // being removed; recreated on its delete event
    if (actual && !ownedBy(actual, ch)) {
      const owner = (actual.metadata.ownerReferences ?? []).find((o) => o.kind === 'Challenge' && o.controller);
      if (owner?.name === ch.metadata.name) {
        // An earlier Challenge of this very name (names are unique, so it is gone): its leftover may go.
        await this.client.deleteChild({
          apiVersion: child.object.apiVersion!,
          kind: child.kind,
          namespace: ch.metadata.namespace!,
          name: child.object.metadata.name,
        });
        return {};
      }
      // Another Challenge's child (a name collision) or nobody's: never touched.
      return {
        nameConflict: `${child.kind} ${child.object.metadata.name} already exists and belongs to ${owner ? `Challenge ${owner.name}` : 'no Challenge'}; it is left alone`,
      };
    }
    if (
      actual &&
      isSubset(child.object.spec, actual.spec) &&
      isSubset(child.object.metadata.labels, actual.metadata.labels)
    ) {
      return {};
    }
    try {
      // Not in the cache: create without force, so an object of that name the cache cannot see (no managed-by
      // label) is not taken over field by field; a conflict there is checked below.
      const applied = await this.client.apply(child.object, actual !== undefined);
      this.log.debug(actual ? 'restored child' : 'created child', {
        challenge: objectKey(ch),
        kind: child.kind,
        name: applied.metadata.name,
      });
      const what = `${child.kind} ${applied.metadata.name}`;
      return actual ? { restored: what } : { created: what };
    } catch (err) {
      if (!actual && isConflict(err)) {
        const found = await this.client.read({
          apiVersion: child.object.apiVersion!,
          kind: child.kind,
          namespace: ch.metadata.namespace!,
          name: child.object.metadata.name,
        });
        if (found && !ownedBy(found, ch)) {
          return {
            nameConflict: `${child.kind} ${child.object.metadata.name} already exists and does not belong to this Challenge; it is left alone`,
          };
        }
        return {
          retrying: `creating ${child.kind} ${child.object.metadata.name}: conflict, retrying`,
          retryError: err,
        };
      }
      const message = `creating ${child.kind} ${child.object.metadata.name}: ${apiError(err).message}`;
      return isPermanent(err) ? { refused: message } : { retrying: message, retryError: err };
    }
  }

  private unavailableDeployments(ch: Challenge, desired: DesiredChild[]): string[] {
    const out: string[] = [];
    for (const child of desired) {
      if (child.kind !== DEPLOYMENTS.kind) {
        continue;
      }
      const found = this.caches.deployments.get(objectKey(child.object));
      const d = found && ownedBy(found, ch) ? found : undefined;
      const want = child.object.spec.replicas ?? 1;
      const ok =
        d &&
        !d.metadata.deletionTimestamp &&
        (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
        (d.status?.availableReplicas ?? 0) >= want &&
        (d.spec?.replicas ?? want) === want;
      if (!ok) {
        out.push(`deployment ${child.object.metadata.name}`);
      }
    }
    return out;
  }

  /** NodePort of the instance's first Service; only a Service this Challenge owns counts. */
  private endpoint(ch: Challenge, desired: DesiredChild[]): number | undefined {
    const first = desired.find((c) => c.kind === SERVICES.kind);
    if (!first) {
      return undefined;
    }
    const found = this.caches.services.get(objectKey(first.object));
    const svc = found && ownedBy(found, ch) ? found : undefined;
    const port = svc?.spec?.ports?.[0]?.nodePort;
    return typeof port === 'number' && port > 0 ? port : undefined;
  }

  private podFailure(ch: Challenge): ChildrenFacts['podFailure'] {
    for (const pod of this.caches.pods.byIndex(INDEX_OWNER, objectKey(ch))) {
      const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
      for (const cs of statuses) {
        const waiting = cs?.state?.waiting;
        if (waiting && POD_FAILURE_REASONS.has(waiting.reason)) {
          return {
            reason: waiting.reason,
            message: `pod ${pod.metadata.name} container ${cs.name}: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`,
          };
        }
      }
      if (pod.status?.phase === 'Failed') {
        return {
          reason: 'PodFailed',
          message: `pod ${pod.metadata.name} failed${pod.status.reason ? `: ${pod.status.reason}` : ''}`,
        };
      }
    }
    return undefined;
  }

  /** Deletes the children of a deleted Challenge and says which of them are still there. */
  private async deleteChildren(ch: Challenge): Promise<CleanupFacts> {
    // Children to remove: what the cache says this Challenge owns, plus the deterministic names of what its
    // definition makes (covers a child created moments ago that the cache has not seen yet). Deletes and reads
    // by name cost the same whatever the namespace holds; a label-selector list would scan it all.
    const ns = ch.metadata.namespace!;
    // Each candidate is deleted with its uid as a precondition, so a same-name object of another Challenge that
    // replaced it is never touched; a name the cache does not show as ours is read first and kept only if ours.
    const candidates = new Map<string, ChildRef & { uid?: string }>();
    const add = (ref: ResourceRef, name: string, uid?: string) =>
      candidates.set(`${ref.kind}/${name}`, {
        apiVersion: apiVersionOf(ref),
        kind: ref.kind,
        namespace: ns,
        name,
        uid,
      });
    for (const { cache, ref } of this.childKinds()) {
      for (const obj of cache.byIndex(INDEX_OWNER, objectKey(ch))) {
        add(ref, obj.metadata.name, obj.metadata.uid);
      }
    }
    const def = this.caches.definitions.get(`${ns}/${ch.spec.definition}`);
    for (const child of def ? childRefs(ch, def) : []) {
      if (candidates.has(`${child.kind}/${child.name}`)) {
        continue;
      }
      const { ref } = this.childKind(child.kind);
      const obj = await this.client.read({
        apiVersion: apiVersionOf(ref),
        kind: child.kind,
        namespace: ns,
        name: child.name,
      });
      if (obj && ownedBy(obj, ch)) {
        add(ref, child.name, obj.metadata.uid);
      }
    }

    let mayRemain = false; // a child that a delete may not have removed at once (finalizers, terminating, failure)
    let deleteError: string | undefined;
    for (const ref of candidates.values()) {
      const cached = this.childKind(ref.kind).cache.get(`${ns}/${ref.name}`);
      if (cached && (cached.metadata.deletionTimestamp || (cached.metadata.finalizers ?? []).length)) {
        mayRemain = true;
      }
      if (cached?.metadata.deletionTimestamp) {
        continue;
      }
      try {
        await this.client.deleteChild(ref, ref.uid);
      } catch (err) {
        if (isConflict(err)) {
          continue;
        } // the uid precondition failed: that name is someone else's now
        mayRemain = true;
        deleteError = `deleting ${ref.kind.toLowerCase()} ${ref.name}: ${apiError(err).message}`;
      }
    }
    if (!mayRemain) {
      return { remaining: [] };
    }

    // Tell "done" from "stuck": read back what may still be there.
    const remaining: string[] = [];
    for (const ref of candidates.values()) {
      const obj = await this.client.read(ref);
      if (!obj || (obj.metadata.ownerReferences ?? []).every((o) => o.uid !== ch.metadata.uid)) {
        continue;
      }
      const fins = obj.metadata.finalizers ?? [];
      remaining.push(`${ref.kind.toLowerCase()} ${ref.name}${fins.length ? ` (finalizers: ${fins.join(', ')})` : ''}`);
    }
    return { remaining, deleteError };
  }

  /** The single status write of a reconcile; skipped when nothing changed. */
  private async writeStatus(ch: Challenge, status: ChallengeStatus): Promise<Challenge> {
    const before = ch.status ?? {};
    if (stableJson(before) === stableJson(status)) {
      return ch;
    }
    const updated = await this.guard(() => this.client.patchChallengeStatus(ch, status));
    this.replaced(ch);
    this.statusEvents(updated, before, status);
    // Recorded only once the write went through, so a retried reconcile does not count twice.
    const prevState: State | undefined = before.currentStatus?.state;
    const next = status.currentStatus?.state;
    if (next && next !== prevState) {
      this.recorder.transition(ch.metadata.namespace!, prevState ?? NO_STATE, next);
      if (next === 'Running') {
        const since = timeMs(status.pendingSince) ?? timeMs(ch.metadata.creationTimestamp);
        const at = timeMs(status.startedAt) ?? this.clock.now();
        if (since !== undefined) {
          this.recorder.timeToRunning(ch.metadata.namespace!, ch.spec.definition, Math.max(0, at - since) / 1000);
        }
      }
    }
    return updated;
  }

  /**
   * Events for what a status write changed: an Error (its reason and message), a wait for a quota slot or a child
   * that cannot be created yet, a cleanup that cannot finish. The same message again joins the same Event's series.
   */
  private statusEvents(ch: Challenge, before: ChallengeStatus, after: ChallengeStatus): void {
    const ready = getCondition(after, COND_READY);
    const wasReady = getCondition(before, COND_READY);
    const changed = ready && (ready.reason !== wasReady?.reason || ready.message !== wasReady?.message);
    const state = after.currentStatus?.state;
    if (changed && ready.reason === 'QuotaExceeded') {
      this.events.record(ch, 'Normal', 'QuotaWait', 'Admit', ready.message ?? '');
    } else if (changed && state === 'Error') {
      this.events.record(ch, 'Warning', ready.reason ?? 'Error', 'Reconcile', ready.message ?? '');
    } else if (changed && ready.reason === 'ChildCreateRetrying') {
      this.events.record(ch, 'Warning', 'ChildCreateRetrying', 'Create', ready.message ?? '');
    }
    const blocked = getCondition(after, COND_DELETING);
    const wasBlocked = getCondition(before, COND_DELETING);
    if (blocked?.status === 'True' && blocked.message !== wasBlocked?.message) {
      this.events.record(ch, 'Warning', 'CleanupBlocked', 'Delete', blocked.message ?? '');
    }
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
