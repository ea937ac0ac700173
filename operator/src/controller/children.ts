// Desired children of a Challenge: one Deployment and an optional Service per definition component.
import { CHALLENGES, DEPLOYMENTS, SERVICES, apiVersionOf } from '../api/resources.ts';
import {
  ANNOTATION_CHALLENGE, LABEL_CHALLENGE_ID, LABEL_COMPONENT, LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_OWNER_UID,
  LABEL_USER, MANAGED_BY, type Challenge, type ChallengeDefinition, type Component, type KubeObject,
} from '../api/types.ts';
import { childName } from './naming.ts';

export interface DesiredChild {
  kind: 'Deployment' | 'Service';
  component: string;
  object: KubeObject & { spec: any };
}

export function identity(ch: Challenge): { challengeId: string; user: string } {
  const labels = ch.metadata.labels ?? {};
  return { challengeId: labels[LABEL_CHALLENGE_ID] ?? '', user: labels[LABEL_USER] ?? '' };
}

export function childLabels(ch: Challenge, component: string, instance: string): Record<string, string> {
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

export function desiredChildren(ch: Challenge, def: ChallengeDefinition): DesiredChild[] {
  const out: DesiredChild[] = [];
  for (const comp of def.spec.components) {
    out.push({ kind: 'Deployment', component: comp.name, object: desiredDeployment(ch, comp) });
    if (comp.service) out.push({ kind: 'Service', component: comp.name, object: desiredService(ch, comp) });
  }
  return out;
}

function desiredDeployment(ch: Challenge, comp: Component): DesiredChild['object'] {
  const { challengeId, user } = identity(ch);
  const name = childName(ch.metadata.name, challengeId, user, comp.name);
  const labels = childLabels(ch, comp.name, name);
  const tmpl = comp.deployment.spec.template;
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
      replicas: comp.deployment.spec.replicas ?? 1,
      selector: { matchLabels: { [LABEL_INSTANCE]: name } },
      template: {
        metadata: {
          // Our labels win over the definition's, so the selector always matches.
          labels: { ...(tmpl.metadata?.labels ?? {}), ...labels },
          annotations: { ...(tmpl.metadata?.annotations ?? {}), [ANNOTATION_CHALLENGE]: ch.metadata.name },
        },
        spec: structuredClone(tmpl.spec),
      },
    },
  };
}

function desiredService(ch: Challenge, comp: Component): DesiredChild['object'] {
  const { challengeId, user } = identity(ch);
  const name = childName(ch.metadata.name, challengeId, user, comp.name);
  const labels = childLabels(ch, comp.name, name);
  const spec = structuredClone(comp.service!.spec) as Record<string, any>;
  // A fixed nodePort would collide between users: let the apiserver allocate one per instance.
  spec.ports = (spec.ports as any[]).map(({ nodePort: _dropped, ...port }) => port);
  spec.selector = { [LABEL_INSTANCE]: name };
  delete spec.clusterIP;
  delete spec.clusterIPs;
  return {
    apiVersion: apiVersionOf(SERVICES),
    kind: SERVICES.kind,
    metadata: {
      name,
      namespace: ch.metadata.namespace,
      labels: { ...(comp.service!.metadata?.labels ?? {}), ...labels },
      annotations: { ...(comp.service!.metadata?.annotations ?? {}), [ANNOTATION_CHALLENGE]: ch.metadata.name },
      ownerReferences: [ownerRef(ch)],
    },
    spec,
  };
}
