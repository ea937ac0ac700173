// Child sync: brings a Challenge's children to what its definition renders (server-side apply, isolation first),
// prunes the children of components that left the definition, and reads back from the caches what the state
// table needs (availability, pod failures, the NodePort). It records nothing: what it did goes into the facts,
// and decide() chooses the Events.
import { DEPLOYMENTS, SERVICES, apiVersionOf } from '../api/resources.ts';
import { objectKey, type Challenge } from '../api/types.ts';
import type { KubeClient } from '../kube/client.ts';
import { apiError, isConflict, isPermanent } from '../kube/errors.ts';
import type { Logger } from '../log.ts';
import { INDEX_OWNER, type Caches, type Child } from './caches.ts';
import { capacityRefusal } from './capacity.ts';
import { childKind, childKinds, ownedBy } from './child-kinds.ts';
import { desiredChildren, type DesiredChild } from './children.ts';
import type { ChildrenFacts } from './facts.ts';
import type { NetworkIsolation } from './network-policy.ts';
import { DefinitionRefused, type ChildPolicy } from './child-policy.ts';
import { isSubset } from './status.ts';

const POD_FAILURE_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'CrashLoopBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
]);

/**
 * What converging children found out, with the error to retry with when a child failed for now, and the failure
 * of pruning (thrown by the reconciler once the Events of what was created are recorded).
 */
export type ChildrenOutcome = ChildrenFacts & { retryError?: unknown; pruneError?: { error: unknown } };

/** Outcome of one child's apply. */
interface ChildOutcome {
  refused?: string;
  /** The Ready reason of a refusal for want of room (capacity.ts); otherwise ChildCreateFailed. */
  refusedReason?: string;
  nameConflict?: string;
  retrying?: string;
  retryError?: unknown;
  created?: string;
  restored?: string;
  /** What the apiserver answered to our apply (a new Service's nodePort is in it before the cache has it). */
  applied?: Child;
}

export class ChildSync {
  private readonly caches: Caches;
  private readonly client: KubeClient;
  private readonly log: Logger;
  private readonly policy?: ChildPolicy;
  private readonly isolation?: NetworkIsolation;

  constructor(deps: {
    caches: Caches;
    client: KubeClient;
    log: Logger;
    policy?: ChildPolicy;
    isolation?: NetworkIsolation;
  }) {
    this.caches = deps.caches;
    this.client = deps.client;
    this.log = deps.log;
    this.policy = deps.policy;
    this.isolation = deps.isolation;
  }

  /**
   * Creates, restores and prunes children, then reads their state from the caches. A refusal for good
   * (400/403/422) is `refused`; other failures are `retrying` (the other children are still attempted).
   */
  async converge(ch: Challenge, finalized: () => Promise<Challenge>): Promise<ChildrenOutcome> {
    const def = this.caches.definitions.get(`${ch.metadata.namespace}/${ch.spec.definition}`)!;
    let desired: DesiredChild[];
    try {
      desired = desiredChildren(ch, def, this.policy, this.isolation);
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
    const nameConflict = outcomes.find((o) => o.nameConflict)?.nameConflict;
    if (nameConflict) {
      return { nameConflict, unavailable: [], created, restored };
    }
    const refusal = outcomes.find((o) => o.refused);
    if (refusal) {
      return { refused: refusal.refused, refusedReason: refusal.refusedReason, unavailable: [], created, restored };
    }
    const failed = outcomes.find((o) => o.retrying);
    // Children of components that left the definition. A failure here fails the reconcile, after the Events of
    // what was created (the reconciler records them, then throws pruneError).
    let pruneError: { error: unknown } | undefined;
    try {
      await this.prune(ch, wanted);
    } catch (error) {
      pruneError = { error };
    }
    return {
      retrying: failed?.retrying,
      retryError: failed?.retryError,
      unavailable: this.unavailableDeployments(ch, desired),
      podFailure: this.podFailure(ch),
      endpoint: this.endpoint(ch, desired, outcomes),
      created,
      restored,
      pruneError,
    };
  }

  /** Deletes the children of components that left the definition. */
  private async prune(ch: Challenge, wanted: Set<string>): Promise<void> {
    const owner = objectKey(ch);
    for (const { cache, ref } of childKinds(this.caches)) {
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
  }

  private async ensureChild(ch: Challenge, child: DesiredChild): Promise<ChildOutcome> {
    const actual = childKind(this.caches, child.kind).cache.get(objectKey(child.object));
    if (actual?.metadata.deletionTimestamp) {
      return {}; // being removed; recreated on its delete event
    }
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
      return actual ? { restored: what, applied } : { created: what, applied };
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
      const capacity = capacityRefusal(err);
      if (capacity) {
        return { refused: `${capacity.hint}: ${message}`, refusedReason: capacity.reason };
      }
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

  /**
   * NodePort of the instance's first Service; only a Service this Challenge owns counts. A Service this reconcile
   * just applied is taken from the apiserver's answer: its watch event comes later, and waiting for it cost a second
   * status write (and a reconcile) per new Challenge, with the endpoint written late under a backlog.
   */
  private endpoint(ch: Challenge, desired: DesiredChild[], outcomes: ChildOutcome[]): number | undefined {
    const first = desired.find((c) => c.kind === SERVICES.kind);
    if (!first) {
      return undefined;
    }
    const key = objectKey(first.object);
    const applied = outcomes.find((o) => o.applied?.kind === SERVICES.kind && objectKey(o.applied) === key)?.applied;
    const found = applied ?? this.caches.services.get(key);
    const svc = found && ownedBy(found, ch) ? found : undefined;
    const port = svc?.spec?.ports?.[0]?.nodePort;
    return typeof port === 'number' && port > 0 ? port : undefined;
  }

  private podFailure(ch: Challenge): ChildrenFacts['podFailure'] {
    for (const d of this.caches.deployments.byIndex(INDEX_OWNER, objectKey(ch))) {
      if (ownedBy(d, ch) && typeof d.status?.quotaFailure === 'string') {
        return {
          reason: 'NamespaceQuotaExceeded',
          message: `deployment ${d.metadata.name} cannot create its pods, the namespace's ResourceQuota is used up: ${d.status.quotaFailure}`,
        };
      }
    }
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
}
