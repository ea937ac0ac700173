// A private control plane for a fault the shared one must not have (a tiny Service or node-port range, an apiserver
// that stops): its own etcd + kube-apiserver with extra arguments, the CRDs, a namespace, the operator watching it, and a `web`
// ChallengeDefinition. Challenges are created and read with `challenge(name)` / `create(name)` / `all()`.
import type { TestContext } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { startTestEnv } from './test-env.ts';
import { createTestNamespace } from './cluster-setup.ts';
import { startOperator } from '../../src/operator.ts';
import { defaultFlags, definitionSpec } from '../integration/harness.ts';
import type { Flags } from '../../src/flags.ts';
import type { Challenge } from '../../src/api/types.ts';

export async function startPrivateOperator(
  t: TestContext,
  o: { apiserverArgs?: string[]; namespacePrefix: string; flags?: Partial<Flags> }
) {
  const env = await startTestEnv({ extraApiserverArgs: o.apiserverArgs });
  let stopManager = async () => {};
  t.after(async () => {
    await stopManager();
    await env.stop();
  });
  await env.installCrds();
  const kc = env.kubeConfig;
  const ns = await createTestNamespace(kc, o.namespacePrefix);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const g = { group: 'apps.hexactf.io', version: 'v1alpha1', namespace: ns };
  const { manager, challenges } = await startOperator({
    kubeConfig: kc,
    flags: { ...defaultFlags(ns), ...o.flags },
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
  return {
    env,
    kc,
    ns,
    manager,
    /** The Challenge controller, for its caches' statistics. */
    controller: challenges,
    /** A Challenge of the `web` definition, its user named after it. */
    create: (name: string, user = name) =>
      custom.createNamespacedCustomObject({
        ...g,
        plural: 'challenges',
        body: {
          apiVersion: 'apps.hexactf.io/v1alpha1',
          kind: 'Challenge',
          metadata: { name, labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': user } },
          spec: { definition: 'web' },
        },
      }),
    challenge: async (name: string) =>
      (await custom.getNamespacedCustomObject({ ...g, plural: 'challenges', name })) as Challenge,
    all: async () =>
      ((await custom.listNamespacedCustomObject({ ...g, plural: 'challenges' })) as { items: Challenge[] }).items,
  };
}
