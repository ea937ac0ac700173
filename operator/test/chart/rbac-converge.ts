// The operator converging a Challenge as the chart's ServiceAccount (rbac.test.ts): run in-process with only that
// ServiceAccount's token, it must take one Challenge from creation to Running to gone, be refused nothing, and
// export what the chart's recording rules join on (promtool over its real /metrics).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { INFO_METRIC, REQUESTS_METRIC, STATUS_METRIC } from '@hexactf/contract';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import type { Flags } from '../../src/flags.ts';
import { newOperator } from '../../src/operator.ts';
import { DATA_KEY, decodeSnapshot } from '../../src/metrics/series-state.ts';
import { retryTooManyRequests } from '../../demo/api-calls.ts';
import { statusOf } from './kube.ts';
import { samples, testRulesOver } from './promtool.ts';
import { hexactf } from './rbac-grants.ts';

/**
 * Runs the operator in-process with only the ServiceAccount's token and drives one Challenge through its life.
 * Any refused call (403) the operator logs fails the test. `admin` plays the players and the missing controllers.
 */
export async function converge(admin: KubeConfig, sa: KubeConfig, work: string, flags: Partial<Flags>): Promise<void> {
  const custom = admin.makeApiClient(CustomObjectsApi);
  const apps = admin.makeApiClient(AppsV1Api);
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
        const list = await admin
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
      const cm = await admin
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
