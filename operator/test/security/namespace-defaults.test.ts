// What the chart installs in each challenge namespace, on the real apiserver: the default-deny NetworkPolicy, the
// LimitRange (the apiserver defaults a pod's limits and refuses one above the maximum, whoever creates it) and the
// ResourceQuota (its status primed as the quota controller would: test/support/quota-controller.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { dryRunCreate, statusOf } from '../chart/kube.ts';
import { install, type Install } from './admission-install.ts';

let env: TestEnv;
before(async () => {
  env = await useTestEnv({ authorizationMode: 'RBAC' });
});
after(async () => env?.stop());

describe('challenge namespace defaults installed by the chart', () => {
  let inst: Install;
  before(async () => {
    inst = await install(env, 'ns-defaults');
  });

  it('a default-deny NetworkPolicy (ingress and egress, every pod) exists in the challenge namespace', async () => {
    const net = env.kubeConfig.makeApiClient(NetworkingV1Api);
    const { items } = await net.listNamespacedNetworkPolicy({ namespace: inst.challengeNs });
    const deny = items.find((p) => p.metadata!.name === `${inst.release}-challenge-operator-default-deny`);
    assert.ok(deny, `policies: ${items.map((p) => p.metadata!.name).join(', ')}`);
    assert.deepEqual(JSON.parse(JSON.stringify(deny.spec!.podSelector)), {}, 'every pod');
    assert.deepEqual(deny.spec!.policyTypes, ['Ingress', 'Egress']);
    assert.equal(deny.spec!.ingress, undefined, 'no ingress rule');
    assert.equal(deny.spec!.egress, undefined, 'no egress rule');
  });

  const pod = (resources?: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: inst.challengeNs },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'c',
          image: 'busybox',
          ...(resources ? { resources } : {}),
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  });

  it('the LimitRange gives a pod without resources the default limits and requests', async () => {
    const created = (await dryRunCreate(env.kubeConfig, pod())) as any;
    assert.deepEqual(JSON.parse(JSON.stringify(created.spec.containers[0].resources)), {
      limits: { cpu: '500m', memory: '256Mi' },
      requests: { cpu: '50m', memory: '64Mi' },
    });
  });

  it('the LimitRange refuses a container above the maximum, even from the cluster admin', async () => {
    const err = await dryRunCreate(env.kubeConfig, pod({ limits: { cpu: '64', memory: '256Mi' } })).then(
      () => assert.fail('admitted'),
      (e: unknown) => e
    );
    assert.equal(statusOf(err), 403, String(err));
    assert.match(String((err as { body?: string }).body), /maximum cpu usage per Container is 2/);
  });

  it('the ResourceQuota bounds pods, CPU, memory, Services and node ports', async () => {
    const core = env.kubeConfig.makeApiClient(CoreV1Api);
    const { items } = await core.listNamespacedResourceQuota({ namespace: inst.challengeNs });
    assert.equal(items.length, 1);
    const hard = items[0].spec!.hard!;
    for (const key of ['count/pods', 'requests.cpu', 'limits.memory', 'services', 'services.nodeports']) {
      assert.ok(hard[key], key);
    }
  });
});
