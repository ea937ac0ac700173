// A child the apiserver cannot create for now (500: the Service IP range is full) keeps the instance Pending with
// the reason in its Ready condition, is retried with backoff, and turns into Error when --pending-timeout passes.
// A private control plane with a tiny Service range produces the real failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import { startTestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { startOperator } from '../../src/operator.ts';
import { defaultFlags, definitionSpec } from './harness.ts';
import type { Challenge } from '../../src/api/types.ts';

test('transient child failures are visible while retried, then time out into Error', async (t) => {
  const env = await startTestEnv({ extraApiserverArgs: ['--service-cluster-ip-range=10.0.0.0/29'] });
  let stopManager = async () => {};
  t.after(async () => {
    await stopManager();
    await env.stop();
  });
  await env.installCrds();
  const kc = env.kubeConfig;
  const ns = await createTestNamespace(kc, 'iprange');
  const custom = kc.makeApiClient(CustomObjectsApi);
  const g = { group: 'apps.hexactf.io', version: 'v1alpha1', namespace: ns };
  const { manager } = await startOperator({
    kubeConfig: kc,
    flags: { ...defaultFlags(ns), pendingTimeoutMs: 4000 },
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
  // A /29 holds at most 6 Services (one is `kubernetes`): 8 instances cannot all get one.
  const names = Array.from({ length: 8 }, (_, i) => `c-${i}`);
  for (const name of names) {
    await custom.createNamespacedCustomObject({
      ...g,
      plural: 'challenges',
      body: {
        apiVersion: 'apps.hexactf.io/v1alpha1',
        kind: 'Challenge',
        metadata: { name, labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': name } },
        spec: { definition: 'web' },
      },
    });
  }
  const all = async () =>
    ((await custom.listNamespacedCustomObject({ ...g, plural: 'challenges' })) as { items: Challenge[] }).items;
  const retrying = await waitFor('an instance retrying its Service', async () =>
    (await all()).find((c) =>
      c.status?.conditions?.some((x) => x.type === 'Ready' && x.reason === 'ChildCreateRetrying')
    )
  );
  assert.equal(retrying.status!.currentStatus!.state, 'Pending');
  assert.ok(retrying.status!.pendingSince);
  assert.match(
    retrying.status!.conditions!.find((x) => x.type === 'Ready')!.message,
    /creating Service ch-1-c-\d-web-[0-9a-f]+: .*range is full/
  );

  // (No kubelet here, so every instance times out; the ones without a Service say why.)
  const failed = await waitFor(
    'the pending timeout of the retried instance',
    async () => {
      const c = (await all()).find((x) => x.metadata.name === retrying.metadata.name);
      return c?.status?.currentStatus?.state === 'Error' ? c : undefined;
    },
    15_000
  );
  assert.match(
    failed.status!.currentStatus!.errorMsg!,
    /^not available after 4s: deployment ch-1-c-\d-web-[0-9a-f]+; creating Service .*range is full/
  );
  assert.equal(failed.status!.conditions!.find((x) => x.type === 'Ready')!.reason, 'PendingTimeout');
});
