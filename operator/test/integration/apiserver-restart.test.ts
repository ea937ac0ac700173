// The informers survive an apiserver outage: watches fail, relist with backoff, and the operator carries on.
// A private control plane, since stopping the shared one would break the other test files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_METRIC } from '@hexactf/contract';
import { AppsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import { startTestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { startOperator } from '../../src/operator.ts';
import { defaultFlags, definitionSpec, parseSeries } from './harness.ts';

test('after kube-apiserver restarts, the operator resumes watching and reconciling', async (t) => {
  const env = await startTestEnv();
  let stopManager = async () => {};
  t.after(async () => {
    await stopManager(); // first: its open watches would slow the apiserver's shutdown
    await env.stop();
  });
  await env.installCrds();
  const kc = env.kubeConfig;
  const ns = await createTestNamespace(kc, 'outage');
  const custom = kc.makeApiClient(CustomObjectsApi);
  const apps = kc.makeApiClient(AppsV1Api);
  const g = { group: 'apps.hexactf.io', version: 'v1alpha1', namespace: ns };
  const { manager, challenges } = await startOperator({
    kubeConfig: kc,
    flags: defaultFlags(ns),
    defaultMetrics: false,
  });
  stopManager = () => manager.stop();

  await custom.createNamespacedCustomObject({
    ...g,
    plural: 'challengedefinitions',
    body: {
      apiVersion: 'apps.hexactf.io/v1alpha1',
      kind: 'ChallengeDefinition',
      metadata: { name: 'web' },
      spec: definitionSpec(),
    },
  });
  await custom.createNamespacedCustomObject({
    ...g,
    plural: 'challenges',
    body: {
      apiVersion: 'apps.hexactf.io/v1alpha1',
      kind: 'Challenge',
      metadata: { name: 'c-sam', labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': 'sam' } },
      spec: { definition: 'web' },
    },
  });
  const state = async (name: string) =>
    ((await custom.getNamespacedCustomObject({ ...g, plural: 'challenges', name })) as any).status?.currentStatus
      ?.state;
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
  await custom.createNamespacedCustomObject({
    ...g,
    plural: 'challenges',
    body: {
      apiVersion: 'apps.hexactf.io/v1alpha1',
      kind: 'Challenge',
      metadata: { name: 'c-tom', labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': 'tom' } },
      spec: { definition: 'web' },
    },
  });
  await waitFor('a new Challenge is picked up', async () => (await state('c-tom')) === 'Pending', 30_000);
  assert.ok(challenges.caches.challenges.stats.errors > 0, 'the outage was noticed');
  assert.ok(challenges.caches.challenges.stats.lists > 1, 'and answered with a relist');
});
