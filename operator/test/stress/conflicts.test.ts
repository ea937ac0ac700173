// Concurrent writers against the operator on the real apiserver: annotators bump every Challenge's
// resourceVersion (so the operator's guarded finalizer and status writes meet 409 Conflict), editors rewrite the
// children with read-modify-write (409s among themselves and against the operator's server-side apply) and a
// kubelet stand-in reports availability the same way. When the writers stop, everything must converge: every
// Challenge Running with exactly its children, the editors' changes to fields the operator owns undone, and no
// reconcile counted as an error (a conflict is a requeue, not a failure).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROLLER_METRICS, STATUS_METRIC } from '@hexactf/contract';
import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import { Fixture } from '../integration/harness.ts';
import { Kube, metricSum, parseSeries, sleep } from './support.ts';

const N = 24;
const WRITE_MS = 5000;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const G = { group: 'apps.hexactf.io', version: 'v1alpha1' };

let f: Fixture;
let kube: Kube;
before(async () => {
  // No pending timeout: under a loaded CI machine the writers can keep an instance Pending past the harness's 60 s.
  f = await Fixture.create('conflicts', { maxConcurrentReconciles: 4, pendingTimeoutMs: 0 });
  kube = new Kube(f.kc, f.ns);
});
after(() => f.close());

const isConflict = (err: unknown) => (err as { code?: number }).code === 409;

test(`${N} Challenges under concurrent writers (409s on Challenges and children) converge`, async () => {
  await kube.createDefinition('web');
  const names = Array.from({ length: N }, (_, i) => `c-${i}`);
  const conflicts = { challenge: 0, deployment: 0 };
  let stop = false;

  // Annotators: merge patches without a resourceVersion always land and bump it under the operator's feet.
  const annotator = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const name = names[(i * 7 + w) % N];
      await f.custom
        .patchNamespacedCustomObject(
          {
            ...G,
            namespace: f.ns,
            plural: 'challenges',
            name,
            body: { metadata: { annotations: { [`stress.hexactf.io/w${w}`]: String(i) } } },
          },
          merge
        )
        .catch(() => {});
    }
  };
  // Editors: read, change replicas and a label the operator owns, write back with the read resourceVersion.
  const editor = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const deps = await kube.deployments();
      const d = deps[(i + w) % Math.max(1, deps.length)];
      // The editors' pace: racing writes spread over the run, not one burst.
      if (!d) {
        await sleep(20);
        continue;
      }
      await sleep(5);
      try {
        await f.apps.replaceNamespacedDeployment({
          name: d.metadata!.name!,
          namespace: f.ns,
          body: {
            ...d,
            metadata: { ...d.metadata, labels: { ...d.metadata!.labels, 'apps.hexactf.io/component': 'hijacked' } },
            spec: { ...d.spec!, replicas: 3 },
          },
        });
      } catch (err) {
        if (isConflict(err)) {
          conflicts.deployment++;
        }
      }
    }
  };
  // Kubelet stand-in: reports the Deployment available with a read-modify-write of its status.
  const kubelet = async () => {
    while (!stop) {
      for (const d of await kube.deployments()) {
        const n = d.spec?.replicas ?? 1;
        if (d.status?.availableReplicas === n && d.status?.observedGeneration === d.metadata?.generation) {
          continue;
        }
        try {
          await f.apps.replaceNamespacedDeploymentStatus({
            name: d.metadata!.name!,
            namespace: f.ns,
            body: {
              ...d,
              status: {
                observedGeneration: d.metadata!.generation,
                replicas: n,
                updatedReplicas: n,
                readyReplicas: n,
                availableReplicas: n,
              },
            } as V1Deployment,
          });
        } catch (err) {
          if (isConflict(err)) {
            conflicts.deployment++;
          }
        }
      }
      await sleep(20); // the kubelet's pace
    }
  };
  // A second client racing the operator on the Challenges themselves: guarded label writes with a read resourceVersion.
  const labeller = async () => {
    for (let i = 0; !stop; i++) {
      const ch = await kube.getChallenge(names[i % N]);
      if (!ch) {
        continue;
      }
      try {
        await f.custom.replaceNamespacedCustomObject({
          ...G,
          namespace: f.ns,
          plural: 'challenges',
          name: ch.metadata.name,
          body: {
            ...ch,
            metadata: { ...ch.metadata, labels: { ...ch.metadata.labels, 'stress.hexactf.io/seen': String(i) } },
          },
        });
      } catch (err) {
        if (isConflict(err)) {
          conflicts.challenge++;
        }
      }
    }
  };

  const writers = [annotator(0), annotator(1), annotator(2), editor(0), editor(1), kubelet(), labeller(), labeller()];
  await Promise.all(
    names.map((name, i) =>
      kube.createChallenge(name, { user: `user-${i % 8}`, challengeId: String(1 + (i % 3)), definition: 'web' })
    )
  );
  await sleep(WRITE_MS); // how long the writers race the operator
  stop = true;
  await Promise.all(writers);

  // Quiet now: one last pass of the kubelet stand-in once the operator has restored replicas to 1.
  await waitFor(
    'every Challenge Running with its children restored',
    async () => {
      const deps = await kube.deployments();
      for (const d of deps) {
        // A restore the operator made after the writers stopped (its requests are rate limited) bumped the generation.
        if (
          d.spec?.replicas === 1 &&
          (d.status?.availableReplicas !== 1 || d.status?.observedGeneration !== d.metadata?.generation)
        ) {
          await kube.markAvailable(d).catch(() => {});
        }
      }
      const chs = await kube.challenges();
      return (
        chs.length === N &&
        chs.every((c) => c.status?.currentStatus?.state === 'Running') &&
        deps.length === N &&
        deps.every((d) => d.spec?.replicas === 1 && d.metadata!.labels!['apps.hexactf.io/component'] === 'web')
      );
    },
    120_000
  ).catch(async (err) => {
    // Say which instance did not converge and why, not just that one did not.
    const stuck = (await kube.challenges())
      .filter((c) => c.status?.currentStatus?.state !== 'Running')
      .map((c) => `${c.metadata.name}: ${JSON.stringify(c.status?.conditions?.find((x) => x.type === 'Ready'))}`);
    const deps = (await kube.deployments())
      .filter(
        (d) =>
          d.spec?.replicas !== 1 ||
          d.status?.availableReplicas !== 1 ||
          d.metadata!.labels!['apps.hexactf.io/component'] !== 'web'
      )
      .map(
        (d) =>
          `${d.metadata!.name}: replicas ${d.spec?.replicas}, available ${d.status?.availableReplicas}, component ${d.metadata!.labels!['apps.hexactf.io/component']}`
      );
    throw new Error(
      `${(err as Error).message}\n${[...stuck, ...deps].join('\n')}\n${(await f.scrapeText())
        .split('\n')
        .filter((l) => l.startsWith(CONTROLLER_METRICS.reconcileTotal) || l.startsWith('workqueue_depth'))
        .join('\n')}`
    );
  });

  const report = await kube.childReport();
  assert.deepEqual(report.orphans, []);
  assert.deepEqual(report.duplicates, []);
  assert.equal(report.perChallenge.size, N);
  assert.ok(
    [...report.perChallenge.values()].every((n) => n === 2),
    'one Deployment and one Service each'
  );

  const text = await f.scrapeText();
  const series = parseSeries(text, STATUS_METRIC);
  assert.equal([...series.values()].filter((v) => v === '1').length, N);
  const requeues = metricSum(text, CONTROLLER_METRICS.reconcileTotal, 'result="requeue"');
  const errors = metricSum(text, CONTROLLER_METRICS.reconcileErrors);
  const diag = `writer conflicts ${JSON.stringify(conflicts)}, operator requeues ${requeues}, reconcile errors ${errors}`;
  process.stderr.write(`# conflicts: ${diag}\n`);
  assert.ok(conflicts.challenge > 0 && conflicts.deployment > 0, `the writers did collide: ${diag}`);
  assert.ok(requeues > 0, `the operator met 409s and requeued: ${diag}`);
  assert.equal(errors, 0, diag);
});
