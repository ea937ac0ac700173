// The chart's RBAC proven on a real apiserver with RBAC authorization on (the test env's default): its
// ServiceAccount, (Cluster)Role and binding are created for real, a TokenRequest token acts as that ServiceAccount,
// and then (a) what the chart grants is allowed, (b) what it does not grant is refused, and (c) the operator itself,
// running in-process with only that token, converges a Challenge from creation to Running to gone; on the way, the
// chart's recording rules run (promtool) over that operator's real /metrics (rbac-converge.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { retryTooManyRequests } from '../../demo/api-calls.ts';
import { statusOf } from './kube.ts';
import { converge } from './rbac-converge.ts';
import { can, hexactf, installRbac, seriesStateConfigMap } from './rbac-grants.ts';
import { waitForPolicy } from '../security/admission-install.ts';

let env: TestEnv;
before(async () => {
  env = await useTestEnv({ authorizationMode: 'RBAC' });
  await env.installCrds();
});
after(async () => env?.stop());

describe('chart RBAC, rbac.clusterWide=true (the ClusterRole opt-in)', () => {
  let ns: string;
  let sa: KubeConfig;
  before(async () => {
    ns = await createTestNamespace(env.kubeConfig, 'rbac-cluster');
    sa = await installRbac(env.kubeConfig, ns, ns, ['rbac.clusterWide=true']);
    await waitForPolicy({ release: ns, challengeNs: ns, sa, user: '', objects: [] });
  });

  it('allows what the operator does, in any namespace', async () => {
    const other = await createTestNamespace(env.kubeConfig, 'rbac-other');
    for (const [verb, resource, group, subresource] of [
      ['watch', 'challenges', hexactf],
      ['list', 'challenges', hexactf],
      ['patch', 'challenges', hexactf],
      ['delete', 'challenges', hexactf],
      ['patch', 'challenges', hexactf, 'status'],
      ['update', 'challenges', hexactf, 'finalizers'],
      ['list', 'challengedefinitions', hexactf],
      ['create', 'deployments', 'apps'],
      ['patch', 'deployments', 'apps'],
      ['delete', 'services', ''],
      ['watch', 'pods', ''],
      ['create', 'events', 'events.k8s.io'],
      ['patch', 'events', 'events.k8s.io'],
    ] as const) {
      assert.equal(
        await can(sa, verb, resource, { group, subresource, namespace: other }),
        true,
        `${verb} ${resource}/${subresource ?? ''}`
      );
    }
    // A real request, too: listing Challenges across all namespaces works.
    const list = await retryTooManyRequests(() =>
      sa
        .makeApiClient(CustomObjectsApi)
        .listClusterCustomObject({ group: hexactf, version: 'v1alpha1', plural: 'challenges' })
    );
    assert.ok(Array.isArray((list as { items: unknown[] }).items));
  });

  it('refuses what the chart does not grant', async () => {
    for (const [verb, resource, group] of [
      ['get', 'secrets', ''],
      ['delete', 'secrets', ''],
      ['create', 'challengedefinitions', hexactf],
      ['delete', 'challengedefinitions', hexactf],
      ['delete', 'pods', ''],
      ['create', 'leases', 'coordination.k8s.io'],
      ['create', 'clusterroles', 'rbac.authorization.k8s.io'],
      ['create', 'events', ''],
    ] as const) {
      assert.equal(await can(sa, verb, resource, { group, namespace: ns }), false, `${verb} ${resource}`);
    }
    // And a real request is refused with 403.
    await assert.rejects(
      retryTooManyRequests(() => sa.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: ns })),
      (e) => statusOf(e) === 403
    );
  });

  it('the operator, running as the ServiceAccount, converges a Challenge: Pending -> Running -> deleted', async () => {
    const work = await createTestNamespace(env.kubeConfig, 'rbac-converge');
    // Scoped to its namespace only because other test files share this apiserver (an all-namespace operator would
    // put finalizers on their Challenges); the permissions used are the ClusterRole's all the same.
    await converge(env.kubeConfig, sa, work, {
      namespace: work,
      leaderElectionNamespace: ns,
      seriesStateConfigMap: seriesStateConfigMap(ns, ns, ['rbac.clusterWide=true']),
    });
  });
});

describe('chart RBAC, default values (a Role in the challenge namespace) with leader election', () => {
  let ns: string;
  let watched: string;
  let sa: KubeConfig;
  before(async () => {
    ns = await createTestNamespace(env.kubeConfig, 'rbac-ns');
    watched = await createTestNamespace(env.kubeConfig, 'rbac-watched');
    sa = await installRbac(env.kubeConfig, ns, ns, [`challengeNamespaces={${watched}}`, 'replicaCount=2']);
    await waitForPolicy({ release: ns, challengeNs: watched, sa, user: '', objects: [] });
  });

  it('allows Challenges only in the watched namespace', async () => {
    const elsewhere = await createTestNamespace(env.kubeConfig, 'rbac-elsewhere');
    assert.equal(await can(sa, 'list', 'challenges', { group: hexactf, namespace: watched }), true);
    assert.equal(await can(sa, 'create', 'deployments', { group: 'apps', namespace: watched }), true);
    assert.equal(await can(sa, 'list', 'challenges', { group: hexactf, namespace: elsewhere }), false);
    assert.equal(await can(sa, 'list', 'challenges', { group: hexactf }), false, 'cluster-wide');
    // Events: exactly what the recorder does (create, patch a series), in the challenge namespace only.
    const events = { group: 'events.k8s.io', namespace: watched };
    assert.equal(await can(sa, 'create', 'events', events), true);
    assert.equal(await can(sa, 'patch', 'events', events), true);
    for (const verb of ['get', 'list', 'watch', 'update', 'delete', 'deletecollection']) {
      assert.equal(await can(sa, verb, 'events', events), false, `${verb} events`);
    }
    assert.equal(await can(sa, 'create', 'events', { ...events, namespace: elsewhere }), false);
    assert.equal(await can(sa, 'create', 'events', { namespace: watched }), false, 'core-group events');
    await assert.rejects(
      retryTooManyRequests(() =>
        sa.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
          group: hexactf,
          version: 'v1alpha1',
          namespace: elsewhere,
          plural: 'challenges',
        })
      ),
      (e) => statusOf(e) === 403
    );
  });

  it('the operator converges in the watched namespace as this ServiceAccount, electing itself leader', async () => {
    await converge(env.kubeConfig, sa, watched, {
      namespace: watched,
      leaderElect: true,
      leaderElectionNamespace: ns,
      leaseDurationMs: 15_000,
      seriesStateConfigMap: seriesStateConfigMap(ns, ns, [`challengeNamespaces={${watched}}`, 'replicaCount=2']),
    });
  });

  it('allows only its own Lease in the release namespace', async () => {
    const lease = { group: 'coordination.k8s.io', namespace: ns };
    assert.equal(await can(sa, 'create', 'leases', lease), true);
    assert.equal(await can(sa, 'update', 'leases', { ...lease, name: 'challenge-operator.hexactf.io' }), true);
    assert.equal(await can(sa, 'update', 'leases', { ...lease, name: 'someone-else' }), false);
    assert.equal(await can(sa, 'create', 'leases', { ...lease, namespace: watched }), false);
  });

  it('allows only its own series-state ConfigMap, in the release namespace', async () => {
    const own = seriesStateConfigMap(ns, ns, [`challengeNamespaces={${watched}}`, 'replicaCount=2']);
    assert.equal(await can(sa, 'get', 'configmaps', { namespace: ns, name: own }), true);
    assert.equal(await can(sa, 'update', 'configmaps', { namespace: ns, name: own }), true);
    assert.equal(await can(sa, 'get', 'configmaps', { namespace: ns, name: 'someone-else' }), false);
    assert.equal(await can(sa, 'list', 'configmaps', { namespace: ns }), false);
    assert.equal(await can(sa, 'delete', 'configmaps', { namespace: ns, name: own }), false);
    assert.equal(await can(sa, 'get', 'configmaps', { namespace: watched, name: own }), false);
  });
});
