// What the Challenge controller caches and how it looks things up: one informer per kind it reads, and the
// indexes that turn "which Challenge does this child belong to" into map lookups instead of scans (each user's
// line under --max-per-user is kept by quota-line.ts).
import { CHALLENGES, DEFINITIONS, DEPLOYMENTS, NETWORK_POLICIES, PODS, SERVICES } from '../api/resources.ts';
import {
  ANNOTATION_CHALLENGE,
  LABEL_MANAGED_BY,
  MANAGED_BY,
  type Challenge,
  type ChallengeDefinition,
  type KubeObject,
} from '../api/types.ts';
import type { Informer } from '../kube/informer.ts';
import type { InformerFactory } from '../kube/informer-factory.ts';
import { projectCustom, projectDeployment, projectPod, projectSpecOnly } from './projections.ts';

export type Child = KubeObject & { spec?: any; status?: any };

export interface Caches {
  challenges: Informer<Challenge>;
  definitions: Informer<ChallengeDefinition>;
  deployments: Informer<Child>;
  services: Informer<Child>;
  networkPolicies: Informer<Child>;
  pods: Informer<Child>;
}

/** Challenge key (namespace/name) of the Challenge a Deployment, Service or Pod belongs to. */
export const INDEX_OWNER = 'owner';
/** namespace/name of the ChallengeDefinition a Challenge uses. */
export const INDEX_DEFINITION = 'definition';

/** Deployments and Services name their Challenge in their controller ownerReference. */
export function challengeKeyOfChild(obj: KubeObject): string[] {
  const ref = (obj.metadata.ownerReferences ?? []).find((o) => o.kind === CHALLENGES.kind && o.controller);
  return ref && obj.metadata.namespace ? [`${obj.metadata.namespace}/${ref.name}`] : [];
}

/** Pods are owned by ReplicaSets, so they carry their Challenge's name in an annotation copied from the template. */
export function challengeKeyOfPod(pod: KubeObject): string[] {
  const name = pod.metadata.annotations?.[ANNOTATION_CHALLENGE];
  return name && pod.metadata.namespace ? [`${pod.metadata.namespace}/${name}`] : [];
}

function definitionKeyOfChallenge(ch: Challenge): string[] {
  return [`${ch.metadata.namespace}/${ch.spec?.definition}`];
}

/** The informers and indexes the Challenge controller reads; children are watched only when the operator made them. */
export function makeCaches(newInformer: InformerFactory, challengeResyncMs: number): Caches {
  const owned = { labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY}` };
  const caches: Caches = {
    challenges: newInformer<Challenge>('challenges', CHALLENGES, {
      resyncMs: challengeResyncMs,
      transform: projectCustom,
    }),
    definitions: newInformer<ChallengeDefinition>('definitions', DEFINITIONS, { transform: projectCustom }),
    deployments: newInformer<Child>('deployments', DEPLOYMENTS, { ...owned, transform: projectDeployment }),
    services: newInformer<Child>('services', SERVICES, { ...owned, transform: projectSpecOnly }),
    networkPolicies: newInformer<Child>('networkpolicies', NETWORK_POLICIES, { ...owned, transform: projectSpecOnly }),
    pods: newInformer<Child>('pods', PODS, { ...owned, transform: projectPod }),
  };
  caches.challenges.addIndex(INDEX_DEFINITION, definitionKeyOfChallenge);
  caches.deployments.addIndex(INDEX_OWNER, challengeKeyOfChild);
  caches.services.addIndex(INDEX_OWNER, challengeKeyOfChild);
  caches.networkPolicies.addIndex(INDEX_OWNER, challengeKeyOfChild);
  caches.pods.addIndex(INDEX_OWNER, challengeKeyOfPod);
  return caches;
}
