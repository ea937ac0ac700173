// Teardown order on the real apiserver: a deleted instance stays isolated until its pods are gone. The test
// control plane has no kubelet and no garbage collector, so the test plays them: a pod of the instance's
// Deployment that ignores SIGTERM is a pod with a finalizer (Terminating until the finalizer is removed), deleted
// by the test once the Deployment is gone (what the garbage collector does to the ReplicaSet's pods).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NetworkingV1Api } from '@kubernetes/client-node';
import { LABEL_OWNER_UID } from '../../src/api/types.ts';
import { Fixture, definitionSpec, waitFor } from '../integration/harness.ts';

const FINALIZER = 'test.hexactf.io/ignores-sigterm';

test("a deleted instance's NetworkPolicy stays while its pod is Terminating and goes after it", async (t) => {
  const f = await Fixture.create('teardown');
  t.after(() => f.close());
  const net = f.kc.makeApiClient(NetworkingV1Api);
  const policies = async (uid: string) =>
    (await net.listNamespacedNetworkPolicy({ namespace: f.ns, labelSelector: `${LABEL_OWNER_UID}=${uid}` })).items;

  await f.createDefinition('web', definitionSpec());
  await f.createChallenge('ch-1-alice', { user: 'alice', definition: 'web' });
  const [dep] = await f.waitForDeployments('ch-1-alice', 1);
  const ch = (await f.getChallenge('ch-1-alice'))!;
  const uid = ch.metadata.uid!;
  assert.equal((await policies(uid)).length, 1, 'the instance is isolated');

  // The Deployment's pod, which will ignore SIGTERM.
  const tmpl = dep.spec!.template;
  const pod = `${dep.metadata!.name}-stubborn`;
  await f.core.createNamespacedPod({
    namespace: f.ns,
    body: {
      metadata: {
        name: pod,
        labels: tmpl.metadata?.labels,
        annotations: tmpl.metadata?.annotations,
        finalizers: [FINALIZER],
      },
      spec: { ...tmpl.spec!, terminationGracePeriodSeconds: 30 },
    },
  });
  const podGone = async () => {
    try {
      await f.core.readNamespacedPod({ name: pod, namespace: f.ns });
      return false;
    } catch (err) {
      return (err as { code?: number }).code === 404;
    }
  };
  t.after(async () => {
    // Never leave the finalizer behind, whatever failed.
    await f.core
      .patchNamespacedPod({ name: pod, namespace: f.ns, body: [{ op: 'remove', path: '/metadata/finalizers' }] })
      .catch(() => undefined);
  });

  await f.deleteChallenge('ch-1-alice');
  // Workloads go first.
  await waitFor('the Deployment and Service deleted', async () => (await f.allChildren()).length === 0);
  // The garbage collector deletes the pod; it ignores SIGTERM (stays Terminating).
  await f.core.deleteNamespacedPod({ name: pod, namespace: f.ns });
  const terminating = await f.core.readNamespacedPod({ name: pod, namespace: f.ns });
  assert.ok(terminating.metadata!.deletionTimestamp, 'the pod is Terminating');

  // As long as the pod exists the NetworkPolicy exists (and the Challenge waits, CleanupBlocked names the pod).
  const blocked = await waitFor('CleanupBlocked naming the pod', async () => {
    const c = await f.getChallenge('ch-1-alice');
    const cond = c?.status?.conditions?.find((x) => x.type === 'CleanupBlocked');
    return cond?.status === 'True' && cond.message?.includes(`pod ${pod}`) ? cond : undefined;
  });
  assert.match(blocked.message ?? '', /networkpolicy \S+ \(kept until the pods are gone\)/);
  for (let i = 0; i < 6; i++) {
    assert.equal((await policies(uid)).length, 1, `the NetworkPolicy exists while the pod does (check ${i})`);
    assert.equal(await podGone(), false);
    await sleep(500);
  }

  // The pod finally goes: then the NetworkPolicy, then the Challenge.
  await f.core.patchNamespacedPod({
    name: pod,
    namespace: f.ns,
    body: [{ op: 'remove', path: '/metadata/finalizers' }],
  });
  await waitFor('the pod gone', podGone);
  await waitFor('the NetworkPolicy deleted', async () => (await policies(uid)).length === 0);
  await f.waitForGone('ch-1-alice');
});

test('without isolation (--network-policy=false) a deletion does not wait for the pods', async (t) => {
  const f = await Fixture.create('teardown-off', { networkPolicy: false });
  t.after(() => f.close());
  await f.createDefinition('web', definitionSpec());
  await f.createChallenge('ch-1-bob', { user: 'bob', definition: 'web' });
  const [dep] = await f.waitForDeployments('ch-1-bob', 1);
  const tmpl = dep.spec!.template;
  const pod = `${dep.metadata!.name}-stubborn`;
  await f.core.createNamespacedPod({
    namespace: f.ns,
    body: {
      metadata: { name: pod, labels: tmpl.metadata?.labels, annotations: tmpl.metadata?.annotations },
      spec: tmpl.spec!,
    },
  });
  t.after(() => f.core.deleteNamespacedPod({ name: pod, namespace: f.ns }).catch(() => undefined));
  await f.deleteChallenge('ch-1-bob');
  await f.waitForGone('ch-1-bob');
  assert.ok(await f.core.readNamespacedPod({ name: pod, namespace: f.ns }), 'the pod is still there');
});
