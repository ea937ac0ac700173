// The kinds of child a Challenge has, each with its cache and API resource, and who owns a child. Shared by the
// child sync (creating and pruning children) and the cleanup of a deleted Challenge.
import { DEPLOYMENTS, NETWORK_POLICIES, SERVICES, type ResourceRef } from '../api/resources.ts';
import type { Challenge, KubeObject } from '../api/types.ts';
import type { Caches } from './caches.ts';

interface ChildKind {
  cache: Caches['deployments'];
  ref: ResourceRef;
}

/** Each kind of child with its cache and API resource. */
export function childKinds(caches: Caches): ChildKind[] {
  return [
    { cache: caches.deployments, ref: DEPLOYMENTS },
    { cache: caches.services, ref: SERVICES },
    { cache: caches.networkPolicies, ref: NETWORK_POLICIES },
  ];
}

export function childKind(caches: Caches, kind: string): ChildKind {
  const found = childKinds(caches).find((k) => k.ref.kind === kind);
  if (!found) {
    throw new Error(`unknown child kind ${kind}`);
  }
  return found;
}

/** The child is this Challenge's (its ownerReference names the Challenge's uid). */
export function ownedBy(obj: KubeObject, ch: Challenge): boolean {
  return (obj.metadata.ownerReferences ?? []).some((o) => o.uid === ch.metadata.uid);
}
