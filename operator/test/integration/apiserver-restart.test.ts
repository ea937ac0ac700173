// The informers survive an apiserver outage: watches fail, relist with backoff, and the operator carries on.
// A private control plane, since stopping the shared one would break the other test files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_METRIC } from '@hexactf/contract';
import { AppsV1Api } from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import { startPrivateOperator } from '../support/private-operator.ts';
import { parseSeries } from './harness.ts';

test('after kube-apiserver restarts, the operator resumes watching and reconciling', async (t) => {
  const { env, kc, ns, manager, controller, create, challenge } = await startPrivateOperator(t, {
    namespacePrefix: 'outage',
  });
  const apps = kc.makeApiClient(AppsV1Api);
  const state = async (name: string) => (await challenge(name)).status?.currentStatus?.state;
  await create('c-sam', 'sam');
  await waitFor('Pending', async () => (await state('c-sam')) === 'Pending');

  await env.stopApiserver();
  // Metrics keep coming from the cache while the apiserver is away.
  const during = parseSeries(await (await fetch(manager.metricsUrl!)).text(), STATUS_METRIC);
  assert.equal(during.get(`{challenge_id="1",challenge_name="c-sam",username="sam",namespace="${ns}"}`), '0');
  await new Promise((r) => setTimeout(r, 1000)); // the outage lasts a while: watches fail and retry meanwhile
  await env.startApiserver();

  // Changes made after the outage reach the operator through restarted watches.
  const [d] = (await apps.listNamespacedDeployment({ namespace: ns })).items;
  const n = d.spec!.replicas ?? 1;
  await apps.replaceNamespacedDeploymentStatus({
    name: d.metadata!.name!,
    namespace: ns,
    body: {
      ...d,
      status: {
        observedGeneration: d.metadata!.generation,
        replicas: n,
        readyReplicas: n,
        availableReplicas: n,
        updatedReplicas: n,
      },
    },
  });
  await waitFor('Running after the outage', async () => (await state('c-sam')) === 'Running', 30_000);
  await create('c-tom', 'tom');
  await waitFor('a new Challenge is picked up', async () => (await state('c-tom')) === 'Pending', 30_000);
  assert.ok(controller.caches.challenges.stats.errors > 0, 'the outage was noticed');
  assert.ok(controller.caches.challenges.stats.lists > 1, 'and answered with a relist');
});
