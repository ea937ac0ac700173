// The chart's ServiceAccount, namespaces, RBAC and admission policies installed on the real test apiserver, and
// what the operator renders, sent as that ServiceAccount: shared by the admission policy tests.
import assert from 'node:assert/strict';
import { waitFor } from '@hexactf/testing/wait';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client.ts';
import { ApiError, RestClient } from '../../src/kube/rest.ts';
import { desiredChildren, type DesiredChild } from '../../src/controller/children.ts';
import type { Challenge, ChallengeDefinition } from '../../src/api/types.ts';
import { renderChart, type K8sObject } from '../chart/helm.ts';
import { create, dryRunCreate, serviceAccountKubeConfig, statusOf } from '../chart/kube.ts';
import type { TestEnv } from '../support/test-env.ts';
import { applyRaw, createTestNamespace } from '../support/cluster-setup.ts';
import { primeQuotas } from '../support/quota-controller.ts';

export interface Install {
  release: string;
  sa: KubeConfig;
  user: string;
  challengeNs: string;
  objects: K8sObject[];
}

/**
 * Creates the chart's ServiceAccount, namespaces (with their LimitRange, ResourceQuota, primed as its controller
 * would, and default-deny NetworkPolicy), RBAC and admission policies; the Deployment itself is left out.
 */
export async function install(env: TestEnv, prefix: string, set: string[] = []): Promise<Install> {
  const release = await createTestNamespace(env.kubeConfig, prefix);
  const challengeNs = `${release}-ch`;
  const objects = renderChart({ release, namespace: release, set: [`challengeNamespaces={${challengeNs}}`, ...set] });
  const kinds = [
    'Namespace',
    'LimitRange',
    'ResourceQuota',
    'NetworkPolicy',
    'ServiceAccount',
    'ClusterRole',
    'ClusterRoleBinding',
    'Role',
    'RoleBinding',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
  ];
  const wanted = objects
    .filter((o) => kinds.includes(o.kind))
    .sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind));
  for (const obj of wanted) {
    // A LimitRange as raw JSON: client-node's serializer knows its `default` only as `_default` and drops it.
    await (obj.kind === 'LimitRange' ? applyRaw(env.kubeConfig, obj as any) : create(env.kubeConfig, obj as any));
  }
  await primeQuotas(env.kubeConfig, challengeNs);
  const saObj = objects.find((o) => o.kind === 'ServiceAccount')!;
  return {
    release,
    challengeNs,
    objects,
    sa: await serviceAccountKubeConfig(env.kubeConfig, release, saObj.metadata.name),
    user: `system:serviceaccount:${release}:${saObj.metadata.name}`,
  };
}

/** The Challenge's uid: the owner reference and owner-uid label of every child (no such Challenge is stored). */
export const CHALLENGE_UID = '00000000-0000-0000-0000-000000000001';

const challenge = (ns: string, name: string): Challenge => ({
  metadata: {
    name,
    namespace: ns,
    uid: CHALLENGE_UID,
    labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': 'alice' },
  },
  spec: { definition: 'd' },
});
const definition = (ns: string, svcType = 'NodePort'): ChallengeDefinition => ({
  metadata: { name: 'd', namespace: ns },
  spec: {
    components: [
      {
        name: 'web',
        deployment: {
          spec: {
            template: {
              spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }] },
            },
          },
        },
        service: { spec: { type: svcType, ports: [{ port: 80 }] } },
      },
    ],
  },
});

/**
 * What the operator renders for a harmless definition, for a Challenge named `c-<suffix>` (the suffix keeps the
 * children's names apart, as the operator names them). The owner reference stays: the policies check it.
 */
export function rendered(ns: string, kind: DesiredChild['kind'], suffix: string): any {
  const ch = challenge(ns, `c-${suffix}`);
  return structuredClone(desiredChildren(ch, definition(ns)).find((c) => c.kind === kind)!.object) as any;
}

/**
 * Sends `obj` as `kc` the way the operator writes its children (its own client, server-side apply): the apiserver
 * admits it as a CREATE when no object of that name exists and as an UPDATE when one does. (Not client-node's typed
 * serializer: it drops fields it knows under another name, e.g. a NetworkPolicy rule's `from`.)
 */
async function applyAs(kc: KubeConfig, obj: any, done: string): Promise<{ status?: number; message: string }> {
  try {
    await new KubeClient(new RestClient(kc)).apply(obj);
    return { message: done };
  } catch (err) {
    if (!(err instanceof ApiError)) {
      throw err;
    }
    return { status: err.code, message: err.message };
  }
}

/** A create as `kc` of an object whose name is not taken: "created", or the apiserver's status and message. */
export const createAs = (kc: KubeConfig, obj: any) => applyAs(kc, obj, 'created');

/** An update as `kc` of an object that exists (created before): "replaced", or the status and message. */
export const replaceAs = (kc: KubeConfig, obj: any) => applyAs(kc, obj, 'replaced');

/**
 * A binding takes a moment to reach the apiserver's admission plugin: wait until a known-bad object of each policy
 * is refused (server-side dry runs, so nothing bad is stored while they are not yet in force).
 */
export async function waitForPolicy(inst: Install): Promise<void> {
  const dep = rendered(inst.challengeNs, 'Deployment', 'probe');
  dep.spec.template.spec.hostNetwork = true;
  const svc = rendered(inst.challengeNs, 'Service', 'probe');
  svc.spec.externalIPs = ['192.0.2.1'];
  const netpol = rendered(inst.challengeNs, 'NetworkPolicy', 'probe');
  netpol.spec = { podSelector: {}, policyTypes: ['Ingress'] };
  const big = rendered(inst.challengeNs, 'Deployment', 'probe-replicas');
  big.spec.replicas = 1000;
  for (const bad of [dep, svc, netpol, big]) {
    const refused = await waitFor(
      `the admission policy for ${bad.kind}`,
      () =>
        dryRunCreate(inst.sa, bad).then(
          () => false,
          (err) => [403, 422].includes(statusOf(err) ?? 0)
        ),
      10_000,
      100
    ).catch(() => false);
    if (!refused) {
      assert.fail(`the admission policy for ${bad.kind} never took effect`);
    }
  }
}

/** Asserts that the apiserver refused a request through the named policy of the release. */
export function assertRefusedBy(
  inst: Install,
  policy: 'workloads' | 'services' | 'networkpolicies' | 'resources',
  r: { status?: number; message: string },
  what: string
): void {
  assert.ok(r.status === 403 || r.status === 422, `${what}: ${r.status} ${r.message}`);
  assert.match(r.message, new RegExp(`ValidatingAdmissionPolicy '${inst.release}-challenge-operator-${policy}'`), what);
}

/**
 * Applies an escalation to a rendered Deployment's pod spec, keeping the forced settings it did not touch, so only
 * the escalation itself is at stake (and privileged + allowPrivilegeEscalation=false, which built-in validation
 * refuses first, does not arise).
 */
export function escalate(dep: any, mutate: (pod: Record<string, any>) => void): any {
  const pod = dep.spec.template.spec;
  mutate(pod);
  for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
    const sc = c.securityContext ?? {};
    c.securityContext = {
      capabilities: { drop: ['ALL'] },
      allowPrivilegeEscalation: sc.privileged ? true : false,
      ...sc,
    };
  }
  return dep;
}
