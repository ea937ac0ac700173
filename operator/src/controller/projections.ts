// What the Challenge controller keeps of each watched object (the informers' transform, like controller-runtime's
// cache transforms): the fields the reconciler, the indexes and the metrics read, nothing else. managedFields,
// kubectl's last-applied annotation, Pod specs and status conditions are most of an object's size and nobody
// here reads them. Adding a field read elsewhere means adding it here (tests/unit/projections.test.ts).
import { ANNOTATION_CHALLENGE, type KubeObject, type ObjectMeta } from '../api/types.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function meta(m: ObjectMeta & Record<string, unknown>, keepAnnotation: (key: string) => boolean): ObjectMeta {
  const out: ObjectMeta = { name: m.name };
  if (m.namespace !== undefined) {
    out.namespace = m.namespace;
  }
  if (m.uid !== undefined) {
    out.uid = m.uid;
  }
  if (m.resourceVersion !== undefined) {
    out.resourceVersion = m.resourceVersion;
  }
  if (m.generation !== undefined) {
    out.generation = m.generation;
  }
  if (m.creationTimestamp !== undefined) {
    out.creationTimestamp = m.creationTimestamp;
  }
  if (m.deletionTimestamp !== undefined) {
    out.deletionTimestamp = m.deletionTimestamp;
  }
  if (m.labels) {
    out.labels = m.labels;
  }
  if (m.annotations) {
    const kept = Object.entries(m.annotations).filter(([k]) => keepAnnotation(k));
    if (kept.length) {
      out.annotations = Object.fromEntries(kept);
    }
  }
  if (m.finalizers?.length) {
    out.finalizers = m.finalizers;
  }
  if (m.ownerReferences?.length) {
    out.ownerReferences = m.ownerReferences;
  }
  return out;
}

const notLastApplied = (k: string) => k !== LAST_APPLIED;
const onlyOurs = (k: string) => k === ANNOTATION_CHALLENGE;

import { replicaFailureForRoom } from './capacity.ts';

type Raw = KubeObject & { spec?: any; status?: any };

/** Challenges and ChallengeDefinitions: whole spec and status, metadata without managedFields. */
export function projectCustom<T extends Raw>(obj: T): T {
  const out = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: meta(obj.metadata as never, notLastApplied),
  } as T;
  if (obj.spec !== undefined) {
    out.spec = obj.spec;
  }
  if (obj.status !== undefined) {
    out.status = obj.status;
  }
  return out;
}

/**
 * Deployments: the spec (compared with the desired one), the status fields that say "available", and the message
 * of a ReplicaFailure condition when it is for want of room (capacity.ts), as `quotaFailure`.
 */
export function projectDeployment(obj: Raw): Raw {
  const s = obj.status ?? {};
  const status: Record<string, number | string> = {};
  for (const k of ['observedGeneration', 'replicas', 'availableReplicas'] as const) {
    if (typeof s[k] === 'number') {
      status[k] = s[k];
    }
  }
  const failure = replicaFailureForRoom(s.conditions);
  if (failure) {
    status.quotaFailure = failure;
  }
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: meta(obj.metadata as never, onlyOurs),
    spec: obj.spec,
    status,
  };
}

/**
 * Services and NetworkPolicies: the spec (compared with the desired one; a Service's nodePort is the endpoint).
 * Their status is unused.
 */
export function projectSpecOnly(obj: Raw): Raw {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: meta(obj.metadata as never, onlyOurs),
    spec: obj.spec,
  };
}

/** Pods: only how they fail (phase, reason, waiting containers) and which Challenge they belong to. */
export function projectPod(obj: Raw): Raw {
  const s = obj.status ?? {};
  const containers = (list: unknown) =>
    Array.isArray(list)
      ? list.map((c: any) => ({
          name: c?.name,
          state: c?.state?.waiting
            ? { waiting: { reason: c.state.waiting.reason, message: c.state.waiting.message } }
            : {},
        }))
      : undefined;
  const status: Record<string, unknown> = {};
  if (s.phase !== undefined) {
    status.phase = s.phase;
  }
  if (s.reason !== undefined) {
    status.reason = s.reason;
  }
  const init = containers(s.initContainerStatuses);
  const main = containers(s.containerStatuses);
  if (init) {
    status.initContainerStatuses = init;
  }
  if (main) {
    status.containerStatuses = main;
  }
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: meta(obj.metadata as never, onlyOurs), status };
}
