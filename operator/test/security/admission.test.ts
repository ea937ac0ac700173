// The chart's defense in depth on a real apiserver (RBAC on, ValidatingAdmissionPolicy GA and enabled by default):
// the chart's ServiceAccount, Roles, challenge namespace and admission policies are created for real, and
// (a) the escalating Services, sent directly with the ServiceAccount's token (TokenRequest), are refused by the
// apiserver's admission policy while what the operator renders is accepted (the pod escalations, on CREATE and
// UPDATE in restricted and jail namespaces: admission-escalations.test.ts; NetworkPolicies:
// admission-networkpolicy.test.ts);
// (b) a SubjectAccessReview matrix shows what the ServiceAccount may do in the default (namespaced) and the
// cluster-wide modes, and that by default it may do nothing in kube-system or in its own namespace.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthorizationV1Api } from '@kubernetes/client-node';
import { renderChart } from '../chart/helm.ts';
import { dryRunCreate, statusOf } from '../chart/kube.ts';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { SERVICE_ESCALATIONS } from './escalations.ts';
import {
  assertRefusedBy,
  createAs,
  install as installIn,
  rendered,
  waitForPolicy,
  type Install,
} from './admission-install.ts';

let env: TestEnv;
before(async () => {
  env = await useTestEnv({ authorizationMode: 'RBAC' });
});
after(async () => env?.stop());

const install = (prefix: string, set: string[] = []): Promise<Install> => installIn(env, prefix, set);

describe("ValidatingAdmissionPolicy on what the operator's ServiceAccount creates", () => {
  let inst: Install;
  before(async () => {
    inst = await install('vap');
    await waitForPolicy(inst);
  });

  // Also proves every CEL expression compiles: with failurePolicy Fail, a broken expression would refuse this too.
  // (The policies' status.typeChecking is written by kube-controller-manager, which the test env does not run.)
  it('accepts what the operator renders (a dry-run create as the ServiceAccount)', async () => {
    for (const kind of ['Deployment', 'Service', 'NetworkPolicy'] as const) {
      const r = await createAs(inst.sa, rendered(inst.challengeNs, kind, 'ok'));
      assert.equal(r.message, 'created', `${kind}: ${r.message}`);
    }
  });

  for (const [what, patch] of SERVICE_ESCALATIONS) {
    it(`refuses a Service with ${what}`, async () => {
      const obj = rendered(inst.challengeNs, 'Service', 'bad');
      Object.assign(obj.spec, patch);
      assertRefusedBy(inst, 'services', await createAs(inst.sa, obj), what);
    });
  }

  it('leaves other users alone (the cluster admin may still create a LoadBalancer)', async () => {
    // In the release namespace: the challenge namespace's ResourceQuota allows no LoadBalancer to anyone.
    const obj = rendered(inst.release, 'Service', 'admin');
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
    const err = await dryRunCreate(env.kubeConfig, pod).then(
      () => assert.fail('a root pod was admitted'),
      (e: unknown) => e
    );
    assert.equal(statusOf(err), 403, String(err));
    assert.match(String((err as { body?: string }).body), /violates PodSecurity .{0,2}restricted/);
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
