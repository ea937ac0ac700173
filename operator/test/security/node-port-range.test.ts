// A full node-port range on the real apiserver: a private control plane whose range holds one port. The first
// NodePort Challenge takes it; the second goes to Error NodePortsExhausted with the reason, and is not retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import { startTestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { startOperator } from '../../src/operator.ts';
import { getCondition } from '../../src/controller/status.ts';
import { defaultFlags, definitionSpec } from '../integration/harness.ts';
import type { Challenge } from '../../src/api/types.ts';

test('a full node-port range: the next NodePort Challenge goes to Error NodePortsExhausted, not retried', async (t) => {
  const env = await startTestEnv({ extraApiserverArgs: ['--service-node-port-range=30000-30000'] });
  let stopManager = async () => {};
  t.after(async () => {
    await stopManager();
    await env.stop();
  });
  await env.installCrds();
  const kc = env.kubeConfig;
  const ns = await createTestNamespace(kc, 'nodeports');
  const custom = kc.makeApiClient(CustomObjectsApi);
  const g = { group: 'apps.hexactf.io', version: 'v1alpha1', namespace: ns };
  const { manager } = await startOperator({ kubeConfig: kc, flags: defaultFlags(ns), defaultMetrics: false });
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
  const get = async (name: string) =>
    (await custom.getNamespacedCustomObject({ ...g, plural: 'challenges', name })) as Challenge;
  const create = (name: string) =>
    custom.createNamespacedCustomObject({
      ...g,
      plural: 'challenges',
      body: {
        apiVersion: 'apps.hexactf.io/v1alpha1',
        kind: 'Challenge',
        metadata: { name, labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': name } },
        spec: { definition: 'web' },
      },
    });

  await create('first');
  await waitFor(
    'the first Challenge Pending',
    async () => (await get('first')).status?.currentStatus?.state === 'Pending'
  );
  await create('second');
  const second = await waitFor('the second Challenge in Error', async () => {
    const c = await get('second');
    return c.status?.currentStatus?.state === 'Error' ? c : undefined;
  });
  const ready = getCondition(second.status, 'Ready');
  assert.equal(ready?.reason, 'NodePortsExhausted', ready?.message);
  assert.match(second.status!.currentStatus!.errorMsg!, /node-port range is full/);
  // Kept as it is: a retry would rewrite it within the backoff's first seconds; watch for 2 s that none does.
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal((await get('second')).metadata.resourceVersion, second.metadata.resourceVersion, 'no retry');
  assert.equal((await get('first')).status?.currentStatus?.state, 'Pending');
});
