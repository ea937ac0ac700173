// The Challenge reconciler: level-triggered, idempotent. Every run reads the cache, converges children and
// writes status at most once (merge patch on the status subresource, guarded by resourceVersion).
import {
  FINALIZER, objectKey, timeMs,
  type Challenge, type ChallengeDefinition, type ChallengeStatus, type KubeObject, type State,
} from '../api/types.ts';
import type { Clock } from '../clock.ts';
import type { Informer } from '../kube/informer.ts';
import type { ChildRef, KubeClient } from '../kube/client.ts';
import { apiError, isConflict, isNotFound, isPermanent } from '../kube/errors.ts';
import { desiredChildren, identity, type DesiredChild } from './children.ts';
import {
  COND_DEFINITION, COND_DELETING, COND_READY, RECOVERABLE_REASONS, getCondition, isSubset, removeCondition,
  setCondition, stableJson,
} from './status.ts';

export interface Caches {
  challenges: Informer<Challenge>;
  definitions: Informer<ChallengeDefinition>;
  deployments: Informer<KubeObject & { spec?: any; status?: any }>;
  services: Informer<KubeObject & { spec?: any; status?: any }>;
  pods: Informer<KubeObject & { spec?: any; status?: any }>;
}

export interface ReconcileOptions {
  pendingTimeoutMs: number;
  challengeTtlMs: number;
  maxPerUser: number;
  deleteOnError: boolean;
}

export interface Recorder {
  transition(namespace: string, from: string, to: string): void;
  timeToRunning(namespace: string, definition: string, seconds: number): void;
  lifetime(namespace: string, definition: string, seconds: number): void;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface Result {
  requeueAfterMs?: number;
}

interface Outcome {
  result: Result;
  deleteSelf: boolean;
  /** A transient error to rethrow after the status write, so the key is retried with backoff. */
  retry?: unknown;
}

interface ChildrenResult {
  permanent?: string;
  transient?: string;
  retry?: unknown;
}

/** Thrown for "retry with backoff" outcomes that are not failures of the reconciler (409 conflict). */
export class RequeueError extends Error {}

/** A failure worth retrying with backoff; requeueAfterMs caps the wait when a deadline is due earlier. */
export class TransientError extends Error {
  readonly cause: unknown;
  readonly requeueAfterMs?: number;
  constructor(cause: unknown, requeueAfterMs?: number) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.cause = cause;
    this.requeueAfterMs = requeueAfterMs;
  }
}

const POD_FAILURE_REASONS = new Set([
  'ErrImagePull', 'ImagePullBackOff', 'CrashLoopBackOff', 'InvalidImageName', 'CreateContainerConfigError',
]);
/** A stuck deletion is re-checked sooner at first, then at most every 30 s (child events also trigger a check). */
function deletionRecheckMs(ch: Challenge, now: number): number {
  const since = now - (timeMs(ch.metadata.deletionTimestamp) ?? now);
  return Math.min(30_000, Math.max(1000, since / 4));
}

export const INDEX_OWNER = 'owner';
export const INDEX_DEFINITION = 'definition';
export const INDEX_USER = 'user';

export class Reconciler {
  private readonly caches: Caches;
  private readonly client: KubeClient;
  private readonly opts: ReconcileOptions;
  private readonly clock: Clock;
  private readonly recorder: Recorder;
  private readonly log: Logger;

  constructor(deps: { caches: Caches; client: KubeClient; opts: ReconcileOptions; clock: Clock; recorder: Recorder; log: Logger }) {
    this.caches = deps.caches;
    this.client = deps.client;
    this.opts = deps.opts;
    this.clock = deps.clock;
    this.recorder = deps.recorder;
    this.log = deps.log;
  }

  async reconcile(key: string): Promise<Result> {
    let ch = this.caches.challenges.get(key);
    if (!ch) return {}; // gone: its metric tombstone is kept by the collector
    if (ch.metadata.deletionTimestamp) return this.reconcileDeletion(ch);

    if (!(ch.metadata.finalizers ?? []).includes(FINALIZER)) {
      ch = await this.guard(() => this.client.setFinalizers(ch!, [...(ch!.metadata.finalizers ?? []), FINALIZER]));
    }

    const now = this.clock.now();
    const nowIso = new Date(now).toISOString();
    const before = ch.status ?? {};
    const status: ChallengeStatus = structuredClone(before);
    const prevState = before.currentStatus?.state;
    status.observedGeneration = ch.metadata.generation;
    const outcome = await this.converge(ch, status, now, nowIso);
    await this.writeStatus(ch, before, status, prevState);
    // A transient failure (apiserver 5xx, timeouts) is visible in status first, then retried with backoff,
    // and no later than the requeue the reconcile asked for (the pending timeout must not wait for the backoff).
    if (outcome.retry !== undefined) throw new TransientError(outcome.retry, outcome.result.requeueAfterMs);
    if (outcome.deleteSelf) {
      await this.client.deleteChallenge(ch);
      return {};
    }
    return outcome.result;
  }

  private async converge(
    ch: Challenge,
    status: ChallengeStatus,
    now: number,
    nowIso: string,
  ): Promise<Outcome> {
    const state = status.currentStatus?.state;
    const readyReason = getCondition(status, COND_READY)?.reason ?? '';

    // A terminal Error is kept as it is for organizers to see (or the instance is deleted on request).
    if (state === 'Error' && !RECOVERABLE_REASONS.has(readyReason)) {
      return { result: {}, deleteSelf: this.opts.deleteOnError };
    }

    const { challengeId, user } = identity(ch);
    const missing = [!challengeId && 'apps.hexactf.io/challengeId', !user && 'apps.hexactf.io/user'].filter(Boolean);
    if (missing.length) {
      this.setError(status, 'MissingLabels', `missing label ${missing.join(', ')}`, nowIso);
      return { result: {}, deleteSelf: false };
    }

    const defName = ch.spec.definition;
    const def = this.caches.definitions.get(`${ch.metadata.namespace}/${defName}`);
    const admitted = state === 'Pending' || state === 'Running';
    if (!def) {
      setCondition(status, { type: COND_DEFINITION, status: 'False', reason: 'NotFound', message: `definition ${defName} not found`, observedGeneration: ch.metadata.generation }, nowIso);
      // An instance that is already up keeps its children; one that never started cannot start.
      if (state === 'Running') return this.ttlOrExpire(ch, status, now);
      this.setError(status, 'DefinitionNotFound', `definition ${defName} not found`, nowIso);
      return { result: {}, deleteSelf: false };
    }
    setCondition(status, { type: COND_DEFINITION, status: 'True', reason: 'Found', message: `definition ${defName}`, observedGeneration: ch.metadata.generation }, nowIso);
    status.isOne = def.spec.isOne ?? false;

    if (!admitted && this.opts.maxPerUser > 0) {
      const verdict = this.quota(ch, user);
      if (verdict) {
        this.setError(status, 'QuotaExceeded', verdict, nowIso);
        return { result: {}, deleteSelf: false };
      }
    }

    // Children: create, restore after edits, remove leftovers.
    const desired = desiredChildren(ch, def);
    const children = await this.ensureChildren(ch, desired);
    if (children.permanent) {
      this.setError(status, 'ChildCreateFailed', children.permanent, nowIso);
      return { result: {}, deleteSelf: this.opts.deleteOnError };
    }

    status.endpoint = this.endpoint(desired) ?? status.endpoint;
    const unavailable = this.unavailableDeployments(desired);

    if (state !== 'Running') {
      if (unavailable.length === 0 && !children.transient) {
        status.currentStatus = { state: 'Running', errorMsg: '' };
        status.startedAt = nowIso;
        setCondition(status, { type: COND_READY, status: 'True', reason: 'Available', message: 'every component is available', observedGeneration: ch.metadata.generation }, nowIso);
        return { result: this.ttlResult(ch, status, now), deleteSelf: false };
      }
      if (state !== 'Pending') status.pendingSince = nowIso;
      status.currentStatus = { state: 'Pending', errorMsg: '' };
      const podFailure = this.podFailure(ch);
      if (podFailure) {
        this.setError(status, podFailure.reason, podFailure.message, nowIso);
        return { result: {}, deleteSelf: this.opts.deleteOnError };
      }
      const pendingSince = timeMs(status.pendingSince) ?? now;
      const waitingFor = [...unavailable, ...(children.transient ? [children.transient] : [])].join('; ');
      if (this.opts.pendingTimeoutMs > 0 && now - pendingSince >= this.opts.pendingTimeoutMs) {
        this.setError(status, 'PendingTimeout', `not available after ${Math.round(this.opts.pendingTimeoutMs / 1000)}s: ${waitingFor}`, nowIso);
        return { result: {}, deleteSelf: this.opts.deleteOnError };
      }
      setCondition(status, {
        type: COND_READY, status: 'False', reason: children.transient ? 'ChildCreateRetrying' : 'Pending',
        message: `waiting for ${waitingFor}`, observedGeneration: ch.metadata.generation,
      }, nowIso);
      return {
        result: this.opts.pendingTimeoutMs > 0 ? { requeueAfterMs: pendingSince + this.opts.pendingTimeoutMs - now } : {},
        deleteSelf: false,
        retry: children.retry,
      };
    }

    // Running stays Running; Ready reflects whether every component is currently available.
    if (children.retry !== undefined) {
      setCondition(status, { type: COND_READY, status: 'False', reason: 'ChildCreateRetrying', message: children.transient!, observedGeneration: ch.metadata.generation }, nowIso);
      const ttl = this.ttlOrExpire(ch, status, now);
      return ttl.deleteSelf ? ttl : { result: {}, deleteSelf: false, retry: children.retry };
    }
    setCondition(status, unavailable.length
      ? { type: COND_READY, status: 'False', reason: 'Degraded', message: `unavailable: ${unavailable.join(', ')}`, observedGeneration: ch.metadata.generation }
      : { type: COND_READY, status: 'True', reason: 'Available', message: 'every component is available', observedGeneration: ch.metadata.generation }, nowIso);
    return this.ttlOrExpire(ch, status, now);
  }

  private ttlOrExpire(ch: Challenge, status: ChallengeStatus, now: number): Outcome {
    const res = this.ttlResult(ch, status, now);
    if (res.requeueAfterMs !== undefined && res.requeueAfterMs <= 0) {
      this.log.info('challenge TTL expired; deleting', { challenge: objectKey(ch) });
      return { result: {}, deleteSelf: true };
    }
    return { result: res, deleteSelf: false };
  }

  private ttlResult(_ch: Challenge, status: ChallengeStatus, now: number): Result {
    if (!this.opts.challengeTtlMs || status.isOne) return {};
    const started = timeMs(status.startedAt);
    if (started === undefined) return {};
    return { requeueAfterMs: started + this.opts.challengeTtlMs - now };
  }

  private setError(status: ChallengeStatus, reason: string, message: string, nowIso: string): void {
    status.currentStatus = { state: 'Error', errorMsg: message.slice(0, 1024) };
    setCondition(status, { type: COND_READY, status: 'False', reason, message, observedGeneration: status.observedGeneration }, nowIso);
  }

  /** The (N+1)-th live instance of a user, ordered by creationTimestamp then name, is refused. */
  private quota(ch: Challenge, user: string): string | undefined {
    const live = this.caches.challenges.byIndex(INDEX_USER, user).filter((c) => !c.metadata.deletionTimestamp);
    const isAdmitted = (c: Challenge) => {
      const s = c.status?.currentStatus?.state;
      if (s === 'Pending' || s === 'Running') return true;
      return s === 'Error' && !RECOVERABLE_REASONS.has(getCondition(c.status, COND_READY)?.reason ?? '');
    };
    const admitted = live.filter((c) => c !== ch && isAdmitted(c)).length;
    const waiting = live
      .filter((c) => c === ch || !isAdmitted(c))
      .sort((a, b) => (timeMs(a.metadata.creationTimestamp) ?? 0) - (timeMs(b.metadata.creationTimestamp) ?? 0) || (objectKey(a) < objectKey(b) ? -1 : objectKey(a) > objectKey(b) ? 1 : 0));
    const position = waiting.findIndex((c) => objectKey(c) === objectKey(ch));
    if (admitted + position < this.opts.maxPerUser) return undefined;
    return `quota exceeded: user ${user} already has ${admitted + position} live instance(s) (max ${this.opts.maxPerUser})`;
  }

  /**
   * Creates, restores and prunes children. A refusal for good (400/403/422) is `permanent`; other failures are
   * `transient` (the other children are still attempted) and come back as `retry` for backoff.
   */
  private async ensureChildren(ch: Challenge, desired: DesiredChild[]): Promise<ChildrenResult> {
    const out: ChildrenResult = {};
    const wanted = new Set(desired.map((child) => `${child.kind}/${objectKey(child.object)}`));
    // Children are independent: converge them concurrently, one round trip per reconcile instead of one per child
    // (with 1,000 Challenges created at once this is most of the time to converge).
    const outcomes = await Promise.all(desired.map((child) => this.ensureChild(ch, child)));
    const permanent = outcomes.find((o) => o.permanent);
    if (permanent) return { permanent: permanent.permanent };
    for (const o of outcomes) {
      out.transient ??= o.transient;
      out.retry ??= o.retry;
    }
    // Children of components that left the definition.
    const owner = objectKey(ch);
    for (const [kind, cache, apiVersion] of [['Deployment', this.caches.deployments, 'apps/v1'], ['Service', this.caches.services, 'v1']] as const) {
      for (const obj of cache.byIndex(INDEX_OWNER, owner)) {
        if (!wanted.has(`${kind}/${objectKey(obj)}`) && !obj.metadata.deletionTimestamp) {
          await this.client.deleteChild({ apiVersion, kind, namespace: obj.metadata.namespace!, name: obj.metadata.name });
        }
      }
    }
    return out;
  }

  private async ensureChild(ch: Challenge, child: DesiredChild): Promise<ChildrenResult> {
    const cache = child.kind === 'Deployment' ? this.caches.deployments : this.caches.services;
    const actual = cache.get(objectKey(child.object));
    if (actual?.metadata.deletionTimestamp) return {}; // being removed; recreated on its delete event
    if (actual && !(actual.metadata.ownerReferences ?? []).some((o) => o.uid === ch.metadata.uid)) {
      // Same deterministic name, different owner: a leftover of an earlier Challenge with this name.
      await this.client.deleteChild({ apiVersion: child.object.apiVersion!, kind: child.kind, namespace: ch.metadata.namespace!, name: child.object.metadata.name });
      return {};
    }
    if (actual && isSubset(child.object.spec, actual.spec) && isSubset(child.object.metadata.labels, actual.metadata.labels)) return {};
    try {
      const applied = await this.client.apply(child.object);
      this.log.debug(actual ? 'restored child' : 'created child', { challenge: objectKey(ch), kind: child.kind, name: applied.metadata.name });
      return {};
    } catch (err) {
      const message = `creating ${child.kind} ${child.object.metadata.name}: ${apiError(err).message}`;
      return isPermanent(err) ? { permanent: message } : { transient: message, retry: err };
    }
  }

  private unavailableDeployments(desired: DesiredChild[]): string[] {
    const out: string[] = [];
    for (const child of desired) {
      if (child.kind !== 'Deployment') continue;
      const d = this.caches.deployments.get(objectKey(child.object));
      const want = child.object.spec.replicas ?? 1;
      const ok = d && !d.metadata.deletionTimestamp &&
        (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
        (d.status?.availableReplicas ?? 0) >= want &&
        (d.spec?.replicas ?? want) === want;
      if (!ok) out.push(`deployment ${child.object.metadata.name}`);
    }
    return out;
  }

  private endpoint(desired: DesiredChild[]): number | undefined {
    const first = desired.find((c) => c.kind === 'Service');
    if (!first) return undefined;
    const svc = this.caches.services.get(objectKey(first.object));
    const port = svc?.spec?.ports?.[0]?.nodePort;
    return typeof port === 'number' && port > 0 ? port : undefined;
  }

  private podFailure(ch: Challenge): { reason: string; message: string } | undefined {
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
        return { reason: 'PodFailed', message: `pod ${pod.metadata.name} failed${pod.status.reason ? `: ${pod.status.reason}` : ''}` };
      }
    }
    return undefined;
  }

  private async reconcileDeletion(ch: Challenge): Promise<Result> {
    if (!(ch.metadata.finalizers ?? []).includes(FINALIZER)) return {};
    const nowIso = new Date(this.clock.now()).toISOString();
    const before = ch.status ?? {};
    const prevState = before.currentStatus?.state;
    const status: ChallengeStatus = structuredClone(before);
    status.currentStatus = { state: 'Deleted', errorMsg: before.currentStatus?.errorMsg ?? '' };
    status.observedGeneration = ch.metadata.generation;

    // Children to remove: what the cache says this Challenge owns, plus the deterministic names of what its
    // definition makes (covers a child created moments ago that the cache has not seen yet). Deletes and reads
    // by name cost the same whatever the namespace holds; a label-selector list would scan it all.
    const ns = ch.metadata.namespace!;
    const candidates = new Map<string, ChildRef>();
    const add = (kind: 'Deployment' | 'Service', name: string) =>
      candidates.set(`${kind}/${name}`, { apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1', kind, namespace: ns, name });
    for (const obj of this.caches.deployments.byIndex(INDEX_OWNER, objectKey(ch))) add('Deployment', obj.metadata.name);
    for (const obj of this.caches.services.byIndex(INDEX_OWNER, objectKey(ch))) add('Service', obj.metadata.name);
    const def = this.caches.definitions.get(`${ns}/${ch.spec.definition}`);
    if (def) for (const child of desiredChildren(ch, def)) add(child.kind, child.object.metadata.name);

    let mayRemain = false; // a child that a delete may not have removed at once (finalizers, terminating, failure)
    let deleteError: string | undefined;
    for (const ref of candidates.values()) {
      const cached = (ref.kind === 'Deployment' ? this.caches.deployments : this.caches.services).get(`${ns}/${ref.name}`);
      if (cached && (cached.metadata.deletionTimestamp || (cached.metadata.finalizers ?? []).length)) mayRemain = true;
      if (cached?.metadata.deletionTimestamp) continue;
      try {
        await this.client.deleteChild(ref);
      } catch (err) {
        mayRemain = true;
        deleteError = `deleting ${ref.kind.toLowerCase()} ${ref.name}: ${apiError(err).message}`;
      }
    }

    if (mayRemain) {
      // Tell "done" from "stuck": read back what may still be there.
      const still: string[] = [];
      for (const ref of candidates.values()) {
        const obj = await this.client.read(ref);
        if (!obj || (obj.metadata.ownerReferences ?? []).every((o) => o.uid !== ch.metadata.uid)) continue;
        const fins = obj.metadata.finalizers ?? [];
        still.push(`${ref.kind.toLowerCase()} ${ref.name}${fins.length ? ` (finalizers: ${fins.join(', ')})` : ''}`);
      }
      if (still.length) {
        setCondition(status, {
          type: COND_DELETING,
          status: 'True',
          reason: deleteError ? 'DeleteFailed' : 'ChildrenRemaining',
          message: `${deleteError ? `${deleteError}; ` : ''}waiting for ${still.length} child(ren) to go away: ${still.join('; ')}`,
          observedGeneration: ch.metadata.generation,
        }, nowIso);
        setCondition(status, { type: COND_READY, status: 'False', reason: 'Deleting', message: 'deletion in progress', observedGeneration: ch.metadata.generation }, nowIso);
        await this.writeStatus(ch, before, status, prevState);
        return { requeueAfterMs: deletionRecheckMs(ch, this.clock.now()) };
      }
    }

    removeCondition(status, COND_DELETING);
    setCondition(status, { type: COND_READY, status: 'False', reason: 'Deleted', message: 'children removed', observedGeneration: ch.metadata.generation }, nowIso);
    ch = await this.writeStatus(ch, before, status, prevState);
    await this.guard(() => this.client.setFinalizers(ch, (ch.metadata.finalizers ?? []).filter((f) => f !== FINALIZER)));
    const created = timeMs(ch.metadata.creationTimestamp);
    if (created !== undefined) this.recorder.lifetime(ns, ch.spec.definition, Math.max(0, this.clock.now() - created) / 1000);
    return {};
  }

  /** The single status write of a reconcile; skipped when nothing changed. */
  private async writeStatus(ch: Challenge, before: ChallengeStatus, status: ChallengeStatus, prevState: State | undefined): Promise<Challenge> {
    if (stableJson(before) === stableJson(status)) return ch;
    const updated = await this.guard(() => this.client.patchChallengeStatus(ch, status));
    // Recorded only once the write went through, so a retried reconcile does not count twice.
    const next = status.currentStatus?.state;
    if (next && next !== prevState) {
      this.recorder.transition(ch.metadata.namespace!, prevState ?? 'None', next);
      if (next === 'Running') {
        const since = timeMs(status.pendingSince) ?? timeMs(ch.metadata.creationTimestamp);
        const at = timeMs(status.startedAt) ?? this.clock.now();
        if (since !== undefined) this.recorder.timeToRunning(ch.metadata.namespace!, ch.spec.definition, Math.max(0, at - since) / 1000);
      }
    }
    return updated;
  }

  /** 409 means our view was stale: requeue (the fresh object is on its way through the watch). */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isConflict(err)) throw new RequeueError('conflict: object changed, requeue');
      if (isNotFound(err)) throw new RequeueError('object is gone');
      throw err;
    }
  }
}

export function challengeKeyOfChild(obj: KubeObject): string[] {
  const ref = (obj.metadata.ownerReferences ?? []).find((o) => o.kind === 'Challenge' && o.controller);
  return ref && obj.metadata.namespace ? [`${obj.metadata.namespace}/${ref.name}`] : [];
}

