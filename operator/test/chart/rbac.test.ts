// The chart's RBAC proven on a real apiserver with RBAC authorization on (the test env's default): its
// ServiceAccount, (Cluster)Role and binding are created for real, a TokenRequest token acts as that ServiceAccount,
// and then (a) what the chart grants is allowed, (b) what it does not grant is refused, and (c) the operator itself,
// running in-process with only that token, converges a Challenge from creation to Running to gone; on the way, the
// chart's recording rules run (promtool) over that operator's real /metrics.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { INFO_METRIC, REQUESTS_METRIC, STATUS_METRIC } from '@hexactf/contract';
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import type { Flags } from '../../src/flags.ts';
import { newOperator } from '../../src/operator.ts';
import { DATA_KEY, decodeSnapshot } from '../../src/metrics/series-state.ts';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { renderChart, type K8sObject } from './helm.ts';
import { retryTooManyRequests } from '../../demo/api-calls.ts';
import { create, serviceAccountKubeConfig, statusOf } from './kube.ts';
import { samples, testRulesOver } from './promtool.ts';
import { waitForPolicy } from '../security/admission-install.ts';

let env: TestEnv;
before(async () => {
  env = await useTestEnv({ authorizationMode: 'RBAC' });
  await env.installCrds();
});
after(async () => env?.stop());

/**
 * Creates the chart's ServiceAccount, RBAC objects and admission policies for real (so the operator below converges
 * through them); returns a kubeconfig acting as the ServiceAccount.
 */
async function installRbac(release: string, namespace: string, set: string[] = []): Promise<KubeConfig> {
  const kinds = [
    'ServiceAccount',
    'ClusterRole',
    'ClusterRoleBinding',
    'Role',
    'RoleBinding',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
  ];
  const objs = renderChart({ release, namespace, set }).filter((o) => kinds.includes(o.kind));
  for (const obj of objs) {
    await create(env.kubeConfig, obj as any);
  }
  const sa = objs.find((o: K8sObject) => o.kind === 'ServiceAccount')!;
  return serviceAccountKubeConfig(env.kubeConfig, namespace, sa.metadata.name);
}

/** The ConfigMap the chart tells the operator to keep its series state in (its --series-state-configmap). */
function seriesStateConfigMap(release: string, namespace: string, set: string[] = []): string {
  const deployment: any = renderChart({ release, namespace, set }).find((o) => o.kind === 'Deployment');
  const arg: string = deployment.spec.template.spec.containers[0].args.find((a: string) =>
    a.startsWith('--series-state-configmap=')
  );
  return arg.slice(arg.indexOf('=') + 1);
}

async function can(
  kc: KubeConfig,
  verb: string,
  resource: string,
  opts: { group?: string; namespace?: string; subresource?: string; name?: string } = {}
): Promise<boolean> {
  const review = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: {
      spec: {
        resourceAttributes: {
          verb,
          resource,
          group: opts.group ?? '',
          namespace: opts.namespace,
          subresource: opts.subresource,
          name: opts.name,
        },
      },
    },
  });
  return review.status!.allowed;
}

const hexactf = 'apps.hexactf.io';

describe('chart RBAC, rbac.clusterWide=true (the ClusterRole opt-in)', () => {
  let ns: string;
  let sa: KubeConfig;
  before(async () => {
    ns = await createTestNamespace(env.kubeConfig, 'rbac-cluster');
    sa = await installRbac(ns, ns, ['rbac.clusterWide=true']);
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
    await converge(sa, work, {
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
    sa = await installRbac(ns, ns, [`challengeNamespaces={${watched}}`, 'replicaCount=2']);
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
    await converge(sa, watched, {
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

/**
 * Runs the operator in-process with only the ServiceAccount's token and drives one Challenge through its life.
 * Any refused call (403) the operator logs fails the test.
 */
async function converge(sa: KubeConfig, work: string, flags: Partial<Flags>): Promise<void> {
  const custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
  const apps = env.kubeConfig.makeApiClient(AppsV1Api);
  const target = { group: hexactf, version: 'v1alpha1', namespace: work };
  await retryTooManyRequests(() =>
    custom.createNamespacedCustomObject({
      ...target,
      plural: 'challengedefinitions',
      body: {
        apiVersion: `${hexactf}/v1alpha1`,
        kind: 'ChallengeDefinition',
        metadata: { name: 'web-basic' },
        spec: {
          category: 'web',
          components: [
            {
              name: 'web',
              deployment: {
                spec: {
                  template: {
                    spec: {
                      containers: [
                        { name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
                      ],
                    },
                  },
                },
              },
              service: { spec: { type: 'NodePort', ports: [{ port: 80 }] } },
            },
          ],
        },
      },
    })
  );
  const problems: string[] = [];
  const record = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    problems.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`);
  const { manager, challenges } = newOperator({
    kubeConfig: sa,
    flags: { metricsBindAddress: '127.0.0.1:0', healthProbeBindAddress: '0', pendingTimeoutMs: 0, ...flags },
    defaultMetrics: false,
    log: { debug() {}, info() {}, warn: record('warn'), error: record('error') },
  });
  try {
    // start() waits for the informers' first list: a missing list/watch permission never gets there.
    await Promise.race([
      manager.start(),
      // A deadline, not a settle: a missing permission never lets start() finish.
      sleep(20_000).then(() => {
        throw new Error(`operator caches did not sync as the ServiceAccount: ${problems.slice(0, 3).join('; ')}`);
      }),
    ]);
    await retryTooManyRequests(() =>
      custom.createNamespacedCustomObject({
        ...target,
        plural: 'challenges',
        body: {
          apiVersion: `${hexactf}/v1alpha1`,
          kind: 'Challenge',
          metadata: {
            name: 'web-1-alice',
            labels: { 'apps.hexactf.io/challengeId': 'web-1', 'apps.hexactf.io/user': 'alice' },
          },
          spec: { definition: 'web-basic' },
        },
      })
    );
    const challenge = async () =>
      (await custom.getNamespacedCustomObject({ ...target, plural: 'challenges', name: 'web-1-alice' })) as any;
    const state = async () => (await challenge()).status?.currentStatus?.state;
    const uid = (await challenge()).metadata.uid;

    // The operator (as the ServiceAccount) added its finalizer and created the Deployment: Pending.
    const deployment = await waitFor(
      'a Deployment',
      async () => (await apps.listNamespacedDeployment({ namespace: work })).items[0]
    );
    await waitFor(
      () => `Pending (operator log: ${problems.join('; ')})`,
      async () => (await state()) === 'Pending'
    );
    assert.ok((await challenge()).metadata.finalizers.includes('challenge.hexactf.io/finalizer'));

    // No kubelet here: report the Deployment available, as its controller would.
    await apps.replaceNamespacedDeploymentStatus({
      name: deployment.metadata!.name!,
      namespace: work,
      body: {
        ...deployment,
        status: {
          observedGeneration: deployment.metadata!.generation,
          replicas: 1,
          readyReplicas: 1,
          availableReplicas: 1,
          updatedReplicas: 1,
        },
      },
    });
    await waitFor('Running', async () => (await state()) === 'Running');
    const metrics = await (await fetch(manager.metricsUrl!)).text();
    assert.match(
      metrics,
      new RegExp(`challenge_resource_status\\{[^}]*challenge_name="web-1-alice"[^}]*namespace="${work}"[^}]*\\} 1`)
    );
    checkRecordingRules(metrics, work);
    // The Events it recorded on the way were written with the chart's grant (a refusal would be logged, see below).
    if (flags.emitEvents !== false) {
      await waitFor('Event ChildrenCreated', async () => {
        const list = await env.kubeConfig
          .makeApiClient(EventsV1Api)
          .listNamespacedEvent({ namespace: work, fieldSelector: `regarding.uid=${uid}` });
        return list.items.some((e) => e.reason === 'ChildrenCreated') ? true : undefined;
      });
    }

    // Deletion: the operator removes the children and its finalizer (both need the granted verbs).
    await custom.deleteNamespacedCustomObject({ ...target, plural: 'challenges', name: 'web-1-alice' });
    await waitFor('the Challenge to be gone', async () => {
      try {
        await challenge();
        return undefined;
      } catch (e) {
        return statusOf(e) === 404 ? true : undefined;
      }
    });
    assert.equal(
      (await apps.listNamespacedDeployment({ namespace: work })).items.filter((d) => !d.metadata?.deletionTimestamp)
        .length,
      0
    );
    // The series state (tombstone included) is written with the chart's permissions.
    if (flags.seriesStateConfigMap) {
      await challenges.seriesKeeper!.flush();
      const cm = await env.kubeConfig
        .makeApiClient(CoreV1Api)
        .readNamespacedConfigMap({ name: flags.seriesStateConfigMap, namespace: flags.leaderElectionNamespace! });
      const stored = decodeSnapshot(Buffer.from(cm.binaryData![DATA_KEY], 'base64')).snapshot;
      assert.deepEqual(
        stored.tombstones.map((t) => t.name),
        ['web-1-alice']
      );
    }
    // Transient warnings (a watch restarting under load) are fine; a refused call is not.
    assert.deepEqual(
      problems.filter((p) => /forbidden|\b403\b/i.test(p)),
      [],
      'the operator was refused nothing'
    );
  } finally {
    await manager.stop();
  }
}

/** The chart's recording rules over what this real operator exports: the label names the rules join on exist. */
function checkRecordingRules(metrics: string, ns: string): void {
  const input = samples(metrics, [STATUS_METRIC, INFO_METRIC, REQUESTS_METRIC]);
  const at = (labels: string) => `{namespace="${ns}",${labels}}`;
  const r = testRulesOver(input, {
    'hexactf:user_instances:count': [{ labels: `hexactf:user_instances:count${at('username="alice"')}`, value: 1 }],
    'hexactf:category_instances:count': [
      { labels: `hexactf:category_instances:count${at('category="web"')}`, value: 1 },
    ],
    'hexactf:definition_running_instances:count': [
      { labels: `hexactf:definition_running_instances:count${at('definition="web-basic",category="web"')}`, value: 1 },
    ],
    'hexactf:category_requests:sum': [
      { labels: `hexactf:category_requests:sum${at('category="web",resource="cpu"')}`, value: 0.1 },
      { labels: `hexactf:category_requests:sum${at('category="web",resource="memory"')}`, value: 64 * 1024 * 1024 },
    ],
  });
  assert.equal(r.status, 0, `${r.output}\ninput:\n${input.map((i) => `${i.series} ${i.value}`).join('\n')}`);
}
