// Upgrading from the original HexaCTF operator (Go, v0.0.5) on a real apiserver. Its Challenge CRD required
// spec.namespace, had no pendingSince and no enum on the state, and its operator wrote the states None and
// Creating. Helm does not upgrade CRDs, so the path is: stop the original operator, apply this project's CRDs
// (`kubectl apply --server-side -f operator/chart/crds/`), install the chart. Played here in that order on a private
// etcd + kube-apiserver (the CRD swap must not disturb the shared one): Challenges written under the original CRD,
// with its finalizer, are adopted and converge; one left Pending without pendingSince still times out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_CODES, STATUS_METRIC } from '@hexactf/contract';
import { ApiextensionsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { FINALIZER, type Challenge } from '../../src/api/types.ts';
import { startOperator } from '../../src/operator.ts';
import { startTestEnv } from '../support/test-env.ts';
import { applyRaw, defaultCrdDir } from '../support/cluster-setup.ts';
import { Kube, parseSeries, waitFor } from '../stress/support.ts';

const G = { group: 'apps.hexactf.io', version: 'v1alpha1' };
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The original's Challenge CRD as far as this upgrade cares: same names, spec.namespace required, a free-form state. */
const ORIGINAL_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'challenges.apps.hexactf.io' },
  spec: {
    group: 'apps.hexactf.io',
    scope: 'Namespaced',
    names: { kind: 'Challenge', listKind: 'ChallengeList', plural: 'challenges', singular: 'challenge' },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                type: 'object',
                required: ['definition', 'namespace'],
                properties: { definition: { type: 'string' }, namespace: { type: 'string' } },
              },
              status: {
                type: 'object',
                properties: {
                  currentStatus: {
                    type: 'object',
                    required: ['errorMsg'],
                    properties: { state: { type: 'string' }, errorMsg: { type: 'string' } },
                  },
                  startedAt: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
      },
    ],
  },
};

const ourCrd = (file: string) => parse(readFileSync(join(defaultCrdDir, file), 'utf8'));

async function established(kube: Kube, name: string, generation?: number): Promise<void> {
  const ext = kube.kc.makeApiClient(ApiextensionsV1Api);
  await waitFor(
    `${name} established`,
    async () => {
      const crd = await ext.readCustomResourceDefinition({ name });
      const ok = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      return ok && (generation === undefined || (crd.metadata?.generation ?? 0) >= generation);
    },
    30_000
  );
}

test('Challenges of the original operator are adopted after the CRD upgrade and converge', async (t) => {
  const env = await startTestEnv();
  t.after(() => env.stop());
  const kc = env.kubeConfig;

  // 1. The original's world: its CRD, and Challenges as its operator left them (finalizer, spec.namespace, states).
  await applyRaw(kc, ORIGINAL_CRD as any);
  await applyRaw(kc, ourCrd('challengedefinitions.yaml'));
  const kube = await Kube.create(kc, 'migrate');
  await established(kube, 'challenges.apps.hexactf.io');
  await established(kube, 'challengedefinitions.apps.hexactf.io');
  await kube.createDefinition('web');
  const legacy: Array<[string, string, Record<string, unknown>]> = [
    ['c-none', 'ann', { currentStatus: { state: 'None', errorMsg: '' } }],
    ['c-creating', 'bob', { currentStatus: { state: 'Creating', errorMsg: '' } }],
    [
      'c-running',
      'cat',
      { currentStatus: { state: 'Running', errorMsg: '' }, startedAt: new Date(Date.now() - 60_000).toISOString() },
    ],
    ['c-pending', 'dan', { currentStatus: { state: 'Pending', errorMsg: '' } }],
  ];
  for (const [name, user, status] of legacy) {
    await kube.custom.createNamespacedCustomObject({
      ...G,
      namespace: kube.ns,
      plural: 'challenges',
      body: {
        apiVersion: 'apps.hexactf.io/v1alpha1',
        kind: 'Challenge',
        metadata: {
          name,
          finalizers: [FINALIZER],
          labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': user },
        },
        spec: { definition: 'web', namespace: kube.ns },
      },
    });
    await kube.custom.patchNamespacedCustomObjectStatus(
      { ...G, namespace: kube.ns, plural: 'challenges', name, body: { status } },
      merge
    );
  }
  // The original's CRD takes what this project's refuses.
  assert.equal(await kube.state('c-creating'), 'Creating');

  // 2. The upgrade: this project's CRD over it (what `kubectl apply --server-side -f chart/crds/` does).
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  await applyRaw(kc, ourCrd('challenges.yaml'));
  await established(kube, 'challenges.apps.hexactf.io', 2);
  const schema = (await ext.readCustomResourceDefinition({ name: 'challenges.apps.hexactf.io' })).spec.versions[0]
    .schema!.openAPIV3Schema!;
  assert.ok(JSON.stringify(schema).includes('pendingSince'), "this project's schema is served");
  // New writes are held to it; the stored objects are still as the original left them.
  await assert.rejects(
    kube.custom.patchNamespacedCustomObjectStatus(
      {
        ...G,
        namespace: kube.ns,
        plural: 'challenges',
        name: 'c-none',
        body: { status: { currentStatus: { state: 'Creating', errorMsg: '' } } },
      },
      merge
    ),
    /HTTP-Code: 422[\s\S]*status.currentStatus.state: Unsupported value/
  );
  assert.equal(await kube.state('c-none'), 'None');

  // 3. This project's operator (it exports states that are not its own as Pending: test/unit/collector.test.ts).
  const PENDING_TIMEOUT_MS = 4000;
  const { manager: op } = await startOperator({
    kubeConfig: kc,
    defaultMetrics: false,
    flags: {
      namespace: kube.ns,
      metricsBindAddress: '127.0.0.1:0',
      healthProbeBindAddress: '0',
      pendingTimeoutMs: PENDING_TIMEOUT_MS,
      challengeTtlMs: 0,
    },
  });
  t.after(() => op.stop());
  const adoptedAt = Date.now();

  // None and Creating enter Pending with a pendingSince, get this operator's children, and run once available.
  for (const name of ['c-none', 'c-creating']) {
    await waitFor(`${name} Pending`, async () => {
      const ch = await kube.getChallenge(name);
      return ch?.status?.currentStatus?.state === 'Pending' && ch.status.pendingSince !== undefined;
    });
  }
  await waitFor('children of every adopted Challenge', async () => (await kube.deployments()).length === legacy.length);
  for (const d of await kube.deployments()) {
    if (!d.metadata!.name!.includes('-dan-')) {
      await kube.markAvailable(d);
    }
  }
  for (const name of ['c-none', 'c-creating', 'c-running']) {
    await waitFor(`${name} Running`, async () => (await kube.state(name)) === 'Running');
  }

  // The one left Pending without pendingSince times out one --pending-timeout after its adoption.
  const timedOut = await waitFor(
    'c-pending in Error',
    async () => {
      const ch = await kube.getChallenge('c-pending');
      return ch?.status?.currentStatus?.state === 'Error' ? ch : undefined;
    },
    PENDING_TIMEOUT_MS + 15_000
  );
  assert.ok(Date.now() - adoptedAt >= PENDING_TIMEOUT_MS - 500, 'not before the timeout');
  assert.ok((timedOut as Challenge).status!.conditions!.some((c) => c.reason === 'PendingTimeout'));

  const series = parseSeries(await (await fetch(op.metricsUrl!)).text(), STATUS_METRIC);
  const value = (name: string, user: string) =>
    series.get(`{challenge_id="1",challenge_name="${name}",username="${user}",namespace="${kube.ns}"}`);
  assert.deepEqual(
    [value('c-none', 'ann'), value('c-creating', 'bob'), value('c-running', 'cat'), value('c-pending', 'dan')],
    [STATE_CODES.Running, STATE_CODES.Running, STATE_CODES.Running, STATE_CODES.Error].map(String)
  );

  // Deleting an adopted Challenge completes: the original's finalizer is this operator's.
  await kube.deleteChallenge('c-none');
  await waitFor('c-none gone', async () => (await kube.getChallenge('c-none')) === undefined);
});
