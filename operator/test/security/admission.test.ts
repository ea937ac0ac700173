// The chart's defense in depth on a real apiserver (RBAC on, ValidatingAdmissionPolicy GA and enabled by default):
// the chart's ServiceAccount, Roles, challenge namespace and admission policies are created for real, and
// (a) the escalating Deployments and Services, sent directly with the ServiceAccount's token (TokenRequest), are
// refused by the apiserver's admission policy while what the operator renders is accepted;
// (b) a SubjectAccessReview matrix shows what the ServiceAccount may do in the default (namespaced) and the
// cluster-wide modes, and that by default it may do nothing in kube-system or in its own namespace.
import assert from 'node:assert/strict';
import { waitFor } from '@hexactf/testing/wait';
import { after, before, describe, it } from 'node:test';
import { AuthorizationV1Api, KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import { desiredChildren } from '../../src/controller/children.ts';
import type { Challenge, ChallengeDefinition } from '../../src/api/types.ts';
import { renderChart, type K8sObject } from '../chart/helm.ts';
import { create, serviceAccountKubeConfig, statusOf } from '../chart/kube.ts';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { ADMISSION_ESCALATIONS, POD_ESCALATIONS, SERVICE_ESCALATIONS } from './escalations.ts';

let env: TestEnv;
before(async () => {
  env = await useTestEnv({ authorizationMode: 'RBAC' });
});
after(async () => env?.stop());

interface Install {
  release: string;
  sa: KubeConfig;
  user: string;
  challengeNs: string;
  objects: K8sObject[];
}

/** Creates the chart's ServiceAccount, namespaces, RBAC and admission policies; the Deployment itself is left out. */
async function install(prefix: string, set: string[] = []): Promise<Install> {
  const release = await createTestNamespace(env.kubeConfig, prefix);
  const challengeNs = `${release}-ch`;
  const objects = renderChart({ release, namespace: release, set: [`challengeNamespaces={${challengeNs}}`, ...set] });
  const kinds = [
    'Namespace',
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
    await create(env.kubeConfig, obj as any);
  }
  const saObj = objects.find((o) => o.kind === 'ServiceAccount')!;
  return {
    release,
    challengeNs,
    objects,
    sa: await serviceAccountKubeConfig(env.kubeConfig, release, saObj.metadata.name),
    user: `system:serviceaccount:${release}:${saObj.metadata.name}`,
  };
}

const challenge = (ns: string): Challenge => ({
  metadata: {
    name: 'c1',
    namespace: ns,
    uid: '00000000-0000-0000-0000-000000000001',
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

/** What the operator renders for a harmless definition (ownerReferences dropped: no Challenge exists here). */
function rendered(ns: string, kind: 'Deployment' | 'Service', suffix: string): any {
  const obj = structuredClone(
    desiredChildren(challenge(ns), definition(ns)).find((c) => c.kind === kind)!.object
  ) as any;
  delete obj.metadata.ownerReferences;
  obj.metadata.name = `${obj.metadata.name.slice(0, 40)}-${suffix}`.replace(/[^a-z0-9-]/g, '-');
  return obj;
}

async function createAs(kc: KubeConfig, obj: any): Promise<{ status?: number; message: string }> {
  try {
    await KubernetesObjectApi.makeApiClient(kc).create(obj, undefined, 'All');
    return { message: 'created' };
  } catch (err) {
    return { status: statusOf(err), message: String((err as { body?: string }).body ?? err) };
  }
}

/** A binding takes a moment to reach the apiserver's admission plugin: wait until a known-bad object is refused. */
async function waitForPolicy(inst: Install): Promise<void> {
  const bad = rendered(inst.challengeNs, 'Deployment', 'probe');
  bad.spec.template.spec.hostNetwork = true;
  const refused = await waitFor(
    'the admission policy',
    async () => [403, 422].includes((await createAs(inst.sa, bad)).status ?? 0),
    10_000,
    100
  ).catch(() => false);
  if (!refused) {
    assert.fail('the admission policy never took effect');
  }
}

describe("ValidatingAdmissionPolicy on what the operator's ServiceAccount creates", () => {
  let inst: Install;
  before(async () => {
    inst = await install('vap');
    await waitForPolicy(inst);
  });

  // Also proves every CEL expression compiles: with failurePolicy Fail, a broken expression would refuse this too.
  // (The policies' status.typeChecking is written by kube-controller-manager, which the test env does not run.)
  it('accepts what the operator renders (a dry-run create as the ServiceAccount)', async () => {
    for (const kind of ['Deployment', 'Service'] as const) {
      const r = await createAs(inst.sa, rendered(inst.challengeNs, kind, 'ok'));
      assert.equal(r.message, 'created', `${kind}: ${r.message}`);
    }
  });

  for (const [what, mutate] of POD_ESCALATIONS.filter(([w]) => ADMISSION_ESCALATIONS.has(w))) {
    it(`refuses a Deployment with ${what}`, async () => {
      const obj = rendered(inst.challengeNs, 'Deployment', 'bad');
      const pod = obj.spec.template.spec;
      mutate(pod);
      // Keep the forced settings the escalation did not touch, so only the escalation itself is at stake (and
      // privileged + allowPrivilegeEscalation=false, which built-in validation refuses first, does not arise).
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const sc = c.securityContext ?? {};
        c.securityContext = {
          capabilities: { drop: ['ALL'] },
          allowPrivilegeEscalation: sc.privileged ? true : false,
          ...sc,
        };
      }
      const r = await createAs(inst.sa, obj);
      assert.ok(r.status === 403 || r.status === 422, `${what}: ${r.status} ${r.message}`);
      assert.match(
        r.message,
        new RegExp(`ValidatingAdmissionPolicy '${inst.release}-challenge-operator-workloads'`),
        r.message
      );
    });
  }

  for (const [what, patch] of SERVICE_ESCALATIONS) {
    it(`refuses a Service with ${what}`, async () => {
      const obj = rendered(inst.challengeNs, 'Service', 'bad');
      Object.assign(obj.spec, patch);
      const r = await createAs(inst.sa, obj);
      assert.ok(r.status === 403 || r.status === 422, `${what}: ${r.status} ${r.message}`);
      assert.match(
        r.message,
        new RegExp(`ValidatingAdmissionPolicy '${inst.release}-challenge-operator-services'`),
        r.message
      );
    });
  }

  it('leaves other users alone (the cluster admin may still create a LoadBalancer)', async () => {
    const obj = rendered(inst.challengeNs, 'Service', 'admin');
    obj.spec.type = 'LoadBalancer';
    assert.equal((await createAs(env.kubeConfig, obj)).message, 'created');
  });

  it('childPolicy opt-ins reach the policy: allowed capabilities and LoadBalancer pass, others still do not', async () => {
    const jail = await install('vap-jail', [
      'childPolicy.allowedCapabilities={SYS_ADMIN}',
      'childPolicy.allowLoadBalancer=true',
    ]);
    await waitForPolicy(jail);
    const dep = rendered(jail.challengeNs, 'Deployment', 'jail');
    dep.spec.template.spec.containers[0].securityContext.capabilities = { drop: ['ALL'], add: ['SYS_ADMIN'] };
    assert.equal((await createAs(jail.sa, dep)).message, 'created');
    dep.spec.template.spec.containers[0].securityContext.capabilities = { drop: ['ALL'], add: ['NET_ADMIN'] };
    assert.equal((await createAs(jail.sa, dep)).status, 403);
    const svc = rendered(jail.challengeNs, 'Service', 'lb');
    svc.spec.type = 'LoadBalancer';
    assert.equal((await createAs(jail.sa, svc)).message, 'created');
  });
});

async function allowed(
  user: string,
  verb: string,
  resource: string,
  group: string,
  namespace?: string,
  subresource?: string
): Promise<boolean> {
  const api = env.kubeConfig.makeApiClient(AuthorizationV1Api);
  const review = await api.createSubjectAccessReview({
    body: {
      spec: {
        user,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${user.split(':')[2]}`, 'system:authenticated'],
        resourceAttributes: { verb, resource, group, namespace, subresource },
      },
    },
  });
  return review.status!.allowed;
}

const hexactf = 'apps.hexactf.io';
/** [verb, resource, group, subresource]: everything the operator does, and things it must never do. */
const OPERATOR_CALLS: Array<[string, string, string, string?]> = [
  ['list', 'challenges', hexactf],
  ['watch', 'challenges', hexactf],
  ['patch', 'challenges', hexactf, 'status'],
  ['update', 'challenges', hexactf, 'finalizers'],
  ['delete', 'challenges', hexactf],
  ['list', 'challengedefinitions', hexactf],
  ['create', 'deployments', 'apps'],
  ['delete', 'deployments', 'apps'],
  ['create', 'services', ''],
  ['watch', 'pods', ''],
  ['create', 'networkpolicies', 'networking.k8s.io'],
];
const NEVER: Array<[string, string, string, string?]> = [
  ['get', 'secrets', ''],
  ['list', 'secrets', ''],
  ['create', 'pods', ''],
  ['create', 'pods', '', 'exec'],
  ['create', 'serviceaccounts', '', 'token'],
  ['create', 'rolebindings', 'rbac.authorization.k8s.io'],
  ['create', 'challengedefinitions', hexactf],
  ['update', 'configmaps', ''],
  ['create', 'daemonsets', 'apps'],
];

describe("SubjectAccessReview matrix for the chart's ServiceAccount", () => {
  it("default (namespaced): the operator's calls in the challenge namespace, nothing in kube-system, its own namespace or cluster-wide", async () => {
    const inst = await install('sar-ns');
    const other = await createTestNamespace(env.kubeConfig, 'sar-other');
    for (const [verb, resource, group, sub] of OPERATOR_CALLS) {
      const label = `${verb} ${resource}${sub ? `/${sub}` : ''}`;
      assert.equal(
        await allowed(inst.user, verb, resource, group, inst.challengeNs, sub),
        true,
        `${label} in the challenge namespace`
      );
      for (const ns of ['kube-system', inst.release, other]) {
        assert.equal(await allowed(inst.user, verb, resource, group, ns, sub), false, `${label} in ${ns}`);
      }
      assert.equal(await allowed(inst.user, verb, resource, group, undefined, sub), false, `${label} cluster-wide`);
    }
    for (const [verb, resource, group, sub] of NEVER) {
      for (const ns of [inst.challengeNs, 'kube-system', inst.release]) {
        assert.equal(await allowed(inst.user, verb, resource, group, ns, sub), false, `${verb} ${resource} in ${ns}`);
      }
    }
    // In its own namespace it may touch nothing at all (no leader election with one replica).
    for (const [verb, resource, group] of [
      ['create', 'leases', 'coordination.k8s.io'],
      ['get', 'configmaps', ''],
      ['list', 'services', ''],
    ]) {
      assert.equal(
        await allowed(inst.user, verb, resource, group, inst.release),
        false,
        `${verb} ${resource} in its own namespace`
      );
    }
  });

  it('challenge namespaces the chart creates carry Pod Security Admission restricted labels', async () => {
    const inst = await install('sar-psa');
    const ns = inst.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === inst.challengeNs)!;
    assert.equal(ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
    // The apiserver enforces it: a root pod is refused there even for the cluster admin.
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'root', namespace: inst.challengeNs },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    };
    const r = await createAs(env.kubeConfig, pod);
    assert.equal(r.status, 403, r.message);
    assert.match(r.message, /violates PodSecurity .{0,2}restricted/);
  });

  it('rbac.clusterWide=true (explicit opt-in): the same calls in every namespace', async () => {
    const inst = await install('sar-cw', ['rbac.clusterWide=true']);
    for (const [verb, resource, group, sub] of OPERATOR_CALLS) {
      assert.equal(
        await allowed(inst.user, verb, resource, group, undefined, sub),
        true,
        `${verb} ${resource} cluster-wide`
      );
    }
    for (const [verb, resource, group, sub] of NEVER) {
      assert.equal(
        await allowed(inst.user, verb, resource, group, 'kube-system', sub),
        false,
        `${verb} ${resource} in kube-system`
      );
    }
  });

  it('the chart refuses its own namespace or a system namespace as a challenge namespace', () => {
    for (const ns of ['kube-system', 'hexactf', 'default']) {
      assert.throws(
        () => renderChart({ release: 'hexactf', namespace: 'hexactf', set: [`challengeNamespaces={${ns}}`] }),
        /is refused/
      );
    }
  });
});
