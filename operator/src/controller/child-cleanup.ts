// Cleanup of a deleted Challenge: deletes its children and says which of them are still there (the state table
// tells "done" from "stuck" with it). Teardown order: the workloads (Deployments, Services) go first; the
// NetworkPolicy that isolates the instance goes only once none of its pods is left, so a pod that ignores SIGTERM
// (a long grace period, a finalizer) stays confined while it is Terminating.
import { NETWORK_POLICIES, apiVersionOf, type ResourceRef } from '../api/resources.ts';
import { LABEL_OWNER_UID, objectKey, type Challenge } from '../api/types.ts';
import type { ChildRef, KubeClient } from '../kube/client.ts';
import { apiError, isConflict } from '../kube/errors.ts';
import { INDEX_OWNER, type Caches } from './caches.ts';
import { childKind, childKinds, ownedBy } from './child-kinds.ts';
import { childRefs } from './children.ts';
import type { CleanupFacts } from './facts.ts';

/** Deletes the children of a deleted Challenge and says which of them are still there. */
export async function deleteChildren(caches: Caches, client: KubeClient, ch: Challenge): Promise<CleanupFacts> {
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
  for (const { cache, ref } of childKinds(caches)) {
    for (const obj of cache.byIndex(INDEX_OWNER, objectKey(ch))) {
      add(ref, obj.metadata.name, obj.metadata.uid);
    }
  }
  const def = caches.definitions.get(`${ns}/${ch.spec.definition}`);
  for (const child of def ? childRefs(ch, def) : []) {
    if (candidates.has(`${child.kind}/${child.name}`)) {
      continue;
    }
    const { ref } = childKind(caches, child.kind);
    const obj = await client.read({
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
  const isolation = (ref: ChildRef) => ref.kind === NETWORK_POLICIES.kind;
  // Pods matter only while there is a NetworkPolicy to keep (without isolation, nothing waits for them).
  const pods = [...candidates.values()].some(isolation) ? podsLeft(caches, ch) : [];
  // Workloads first; the NetworkPolicy only when no pod of the instance is left (the pod cache confirms it: every
  // pod event of the instance triggers this again).
  const deletable = [...candidates.values()].filter((ref) => !isolation(ref) || pods.length === 0);
  if (pods.length > 0) {
    mayRemain = true;
  }
  for (const ref of deletable) {
    const cached = childKind(caches, ref.kind).cache.get(`${ns}/${ref.name}`);
    if (cached && (cached.metadata.deletionTimestamp || (cached.metadata.finalizers ?? []).length)) {
      mayRemain = true;
    }
    if (cached?.metadata.deletionTimestamp) {
      continue;
    }
    try {
      await client.deleteChild(ref, ref.uid);
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
    const obj = await client.read(ref);
    if (!obj || (obj.metadata.ownerReferences ?? []).every((o) => o.uid !== ch.metadata.uid)) {
      continue;
    }
    const fins = obj.metadata.finalizers ?? [];
    const why = fins.length
      ? ` (finalizers: ${fins.join(', ')})`
      : isolation(ref) && pods.length
        ? ' (kept until the pods are gone)'
        : '';
    remaining.push(`${ref.kind.toLowerCase()} ${ref.name}${why}`);
  }
  for (const name of pods) {
    remaining.push(`pod ${name} (not gone yet)`);
  }
  return { remaining, deleteError };
}

/** The instance's pods the cache still shows (Terminating ones included), by name. */
function podsLeft(caches: Caches, ch: Challenge): string[] {
  return caches.pods
    .byIndex(INDEX_OWNER, objectKey(ch))
    .filter((pod) => pod.metadata.labels?.[LABEL_OWNER_UID] === ch.metadata.uid)
    .map((pod) => pod.metadata.name);
}
