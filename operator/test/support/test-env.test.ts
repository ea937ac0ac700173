// The test env itself, on a private control plane (it stops and restarts servers, which a shared env can't allow).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import { createTestNamespace, defaultCrdDir } from './cluster-setup.ts';
import { startTestEnv, type TestEnv } from './test-env.ts';

let env: TestEnv;
let core: CoreV1Api;

before(async () => {
  env = await startTestEnv();
  core = env.kubeConfig.makeApiClient(CoreV1Api);
});

after(async () => {
  await env?.stop();
});

test('the kubeconfig file reaches the apiserver with the admin token over verified TLS', async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(env.kubeconfigPath);
  assert.equal(kc.getCurrentCluster()?.server, env.apiserverUrl);
  assert.equal(kc.getCurrentCluster()?.skipTLSVerify, false);
  assert.match(readFileSync(env.kubeconfigPath, 'utf8'), new RegExp(env.adminToken));
  const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
  assert.ok(namespaces.items.some((ns) => ns.metadata?.name === 'default'));
});

test('RBAC is on: an unknown token is refused, an anonymous caller is forbidden, the admin may list', async () => {
  const as = (user: { name: string; token?: string }) => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [env.kubeConfig.getCurrentCluster()!],
      users: [user],
      contexts: [{ name: 'x', cluster: env.kubeConfig.getCurrentCluster()!.name, user: user.name }],
      currentContext: 'x',
    });
    return kc.makeApiClient(CoreV1Api);
  };
  await assert.rejects(as({ name: 'bad', token: 'not-a-token' }).listNamespace(), (err: any) => err.code === 401);
  // Authenticated as system:anonymous, then denied by RBAC (AlwaysAllow would answer 200).
  await assert.rejects(as({ name: 'anonymous' }).listNamespace(), (err: any) => err.code === 403);
  await as({ name: 'admin', token: env.adminToken }).listNamespace();
});

test('namespaces are unique per call and pods can be created without a controller-manager', async () => {
  const a = await createTestNamespace(env.kubeConfig, 'iso');
  const b = await createTestNamespace(env.kubeConfig, 'iso');
  assert.notEqual(a, b);
  assert.match(a, /^iso-/);
  // No "default" ServiceAccount exists (no controller-manager); the ServiceAccount admission plugin is off.
  const pod = await core.createNamespacedPod({
    namespace: a,
    body: {
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] },
    },
  });
  assert.equal(pod.metadata?.namespace, a);
});

test('data survives an apiserver restart and an etcd restart', async () => {
  const ns = await createTestNamespace(env.kubeConfig, 'restart');
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'kept' }, data: { k: 'v1' } } });

  await env.stopApiserver();
  await assert.rejects(core.readNamespacedConfigMap({ name: 'kept', namespace: ns }));
  await env.startApiserver();
  const afterApiserver = await core.readNamespacedConfigMap({ name: 'kept', namespace: ns });
  assert.deepEqual(afterApiserver.data, { k: 'v1' });

  await env.stopEtcd();
  await env.startEtcd();
  // The apiserver reconnects to etcd by itself; writes work again and the old data is there.
  await waitFor('a write after the etcd restart', async () => {
    await core.patchNamespacedConfigMap({
      name: 'kept',
      namespace: ns,
      body: [{ op: 'replace', path: '/data/k', value: 'v2' }],
    });
    return true;
  });
  const afterEtcd = await core.readNamespacedConfigMap({ name: 'kept', namespace: ns });
  assert.deepEqual(afterEtcd.data, { k: 'v2' });
});

test(
  'installCrds applies operator/chart/crds and the CRDs are Established and servable',
  { skip: !existsSync(defaultCrdDir) },
  async () => {
    await env.installCrds();
    await env.installCrds(); // idempotent: a second apply is a no-op, not a conflict
    const crds = await env.kubeConfig.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    const names = crds.items.map((c) => c.metadata?.name).sort();
    assert.deepEqual(names, ['challengedefinitions.apps.hexactf.io', 'challenges.apps.hexactf.io']);
    const ns = await createTestNamespace(env.kubeConfig, 'crd');
    const custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
    // Served right after Established: an empty list, not a 404.
    const list = (await waitFor('the Challenge list', () =>
      custom.listNamespacedCustomObject({
        group: 'apps.hexactf.io',
        version: 'v1alpha1',
        namespace: ns,
        plural: 'challenges',
      })
    )) as { items: unknown[] };
    assert.deepEqual(list.items, []);
  }
);
