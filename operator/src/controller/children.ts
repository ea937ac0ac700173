// Desired children of a Challenge: one Deployment and an optional Service per definition component, and one
// NetworkPolicy isolating the instance.
import { CHALLENGES, DEPLOYMENTS, NETWORK_POLICIES, SERVICES, apiVersionOf } from '../api/resources.ts';
import {
  ANNOTATION_CHALLENGE,
  LABEL_CHALLENGE_ID,
  LABEL_COMPONENT,
  LABEL_INSTANCE,
  LABEL_MANAGED_BY,
  LABEL_OWNER_UID,
  LABEL_USER,
  MANAGED_BY,
  type Challenge,
  type ChallengeDefinition,
  type Component,
  type KubeObject,
} from '../api/types.ts';
import { childName } from './naming.ts';
import { DEFAULT_ISOLATION, networkPolicySpec, type NetworkIsolation } from './network-policy.ts';
import { DEFAULT_POLICY, type ChildPolicy } from './child-policy.ts';
import { policePodTemplate } from './pod-policy.ts';
import { replicas } from './resource-policy.ts';
import { policeService } from './service-policy.ts';

export interface DesiredChild {
  kind: 'Deployment' | 'Service' | 'NetworkPolicy';
  component: string;
  object: KubeObject & { spec: any };
}

export function identity(ch: Challenge): { challengeId: string; user: string } {
  const labels = ch.metadata.labels ?? {};
  return { challengeId: labels[LABEL_CHALLENGE_ID] ?? '', user: labels[LABEL_USER] ?? '' };
}

function childLabels(ch: Challenge, component: string, instance: string): Record<string, string> {
  const { challengeId, user } = identity(ch);
  return {
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_CHALLENGE_ID]: challengeId,
    [LABEL_USER]: user,
    [LABEL_COMPONENT]: component,
    [LABEL_INSTANCE]: instance,
    [LABEL_OWNER_UID]: ch.metadata.uid ?? '',
  };
}

function ownerRef(ch: Challenge) {
  return {
    apiVersion: apiVersionOf(CHALLENGES),
    kind: CHALLENGES.kind,
    name: ch.metadata.name,
    uid: ch.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * Every child of the Challenge, rendered through the pod/Service policy: throws DefinitionRefused (naming the field)
 * before anything is built when the definition asks for something the operator does not allow.
 */
export function desiredChildren(
  ch: Challenge,
  def: ChallengeDefinition,
  policy: ChildPolicy = DEFAULT_POLICY,
  isolation: NetworkIsolation = DEFAULT_ISOLATION
): DesiredChild[] {
  const out: DesiredChild[] = [];
  for (const comp of def.spec.components) {
    out.push({ kind: 'Deployment', component: comp.name, object: desiredDeployment(ch, comp, policy) });
    if (comp.service) {
      out.push({ kind: 'Service', component: comp.name, object: desiredService(ch, comp, policy) });
    }
  }
  if (isolation.enabled) {
    out.push({ kind: 'NetworkPolicy', component: '', object: desiredNetworkPolicy(ch, isolation) });
  }
  return out;
}

/** One per instance; its name cannot meet a Deployment's or Service's (another kind). */
function networkPolicyName(ch: Challenge): string {
  const { challengeId, user } = identity(ch);
  return childName(ch.metadata.name, challengeId, user, 'isolation');
}

function desiredNetworkPolicy(ch: Challenge, isolation: NetworkIsolation): DesiredChild['object'] {
  const name = networkPolicyName(ch);
  return {
    apiVersion: apiVersionOf(NETWORK_POLICIES),
    kind: NETWORK_POLICIES.kind,
    metadata: {
      name,
      namespace: ch.metadata.namespace,
      labels: childLabels(ch, '', name),
      annotations: { [ANNOTATION_CHALLENGE]: ch.metadata.name },
      ownerReferences: [ownerRef(ch)],
    },
    spec: networkPolicySpec(LABEL_OWNER_UID, ch.metadata.uid ?? '', isolation),
  };
}

/** Names of the children a definition makes, without policing it (deletion removes whatever may exist). */
export function childRefs(
  ch: Challenge,
  def: ChallengeDefinition
): Array<{ kind: DesiredChild['kind']; name: string }> {
  const { challengeId, user } = identity(ch);
  const refs: Array<{ kind: DesiredChild['kind']; name: string }> = [
    { kind: 'NetworkPolicy', name: networkPolicyName(ch) },
  ];
  for (const comp of def.spec.components) {
    const name = childName(ch.metadata.name, challengeId, user, comp.name);
    refs.push({ kind: 'Deployment', name });
    if (comp.service) {
      refs.push({ kind: 'Service', name });
    }
  }
  return refs;
}

function componentPath(comp: Component): string {
  return `spec.components[${comp.name}]`;
}

function desiredDeployment(ch: Challenge, comp: Component, policy: ChildPolicy): DesiredChild['object'] {
  const { challengeId, user } = identity(ch);
  const name = childName(ch.metadata.name, challengeId, user, comp.name);
  const labels = childLabels(ch, comp.name, name);
  const tmpl = policePodTemplate(
    comp.deployment.spec.template,
    `${componentPath(comp)}.deployment.spec.template`,
    policy
  );
  return {
    apiVersion: apiVersionOf(DEPLOYMENTS),
    kind: DEPLOYMENTS.kind,
    metadata: {
      name,
      namespace: ch.metadata.namespace,
      labels,
      annotations: { [ANNOTATION_CHALLENGE]: ch.metadata.name },
      ownerReferences: [ownerRef(ch)],
    },
    spec: {
      replicas: replicas(comp.deployment.spec.replicas, `${componentPath(comp)}.deployment.spec.replicas`, policy),
      selector: { matchLabels: { [LABEL_INSTANCE]: name } },
      template: {
        metadata: {
          // Our labels win over the definition's, so the selector always matches.
          labels: { ...(tmpl.metadata?.labels ?? {}), ...labels },
          annotations: { ...(tmpl.metadata?.annotations ?? {}), [ANNOTATION_CHALLENGE]: ch.metadata.name },
        },
        spec: tmpl.spec,
      },
    },
  };
}

function desiredService(ch: Challenge, comp: Component, policy: ChildPolicy): DesiredChild['object'] {
  const { challengeId, user } = identity(ch);
  const name = childName(ch.metadata.name, challengeId, user, comp.name);
  const labels = childLabels(ch, comp.name, name);
  const svc = policeService(comp.service, `${componentPath(comp)}.service`, policy);
  const spec = svc.spec;
  spec.selector = { [LABEL_INSTANCE]: name };
  return {
    apiVersion: apiVersionOf(SERVICES),
    kind: SERVICES.kind,
    metadata: {
      name,
      namespace: ch.metadata.namespace,
      labels: { ...svc.metadata?.labels, ...labels },
      annotations: { ...svc.metadata?.annotations, [ANNOTATION_CHALLENGE]: ch.metadata.name },
      ownerReferences: [ownerRef(ch)],
    },
    spec,
  };
}
