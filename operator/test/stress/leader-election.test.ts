// Two operator replicas (CLI child processes) with --leader-elect on one Lease. Only the leader reconciles and
// exports challenge series; SIGKILL of the leader (no graceful release) hands over once the lease runs out;
// the new leader does no double work: children untouched, no status written twice, no transition counted twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROLLER_METRICS, STATUS_METRIC } from '@hexactf/contract';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { Kube, OperatorProcess, metricSum, parseSeries, pool } from './support.ts';

const N = 20;
const LEASE_MS = 3000;
const RETRY_MS = 400; // the elector's retry period for a 3 s lease (leaseDuration / 7.5)

let env: TestEnv;
let kube: Kube;
const replicas: OperatorProcess[] = [];

before(async () => {
  env = await useTestEnv();
  kube = await Kube.create(env.kubeConfig, 'leader');
  await kube.createDefinition('web');
});
after(async () => {
  for (const r of replicas) {
    await r.kill();
  }
  await env.stop();
});

const start = async () => {
  const r = await OperatorProcess.start(env.kubeconfigPath, [
    '--namespace',
    kube.ns,
    '--leader-elect',
    '--leader-election-id=lock',
    `--leader-election-namespace=${kube.ns}`,
    `--lease-duration=${LEASE_MS / 1000}s`,
  ]);
  replicas.push(r);
  return r;
};
const leading = async (r: OperatorProcess) =>
  / 1$/m.test(
    (await r.scrape()).split('\n').find((l) => l.startsWith('leader_election_master_status{name="lock"}')) ?? ''
  );
const reconciles = async (r: OperatorProcess) => metricSum(await r.scrape(), CONTROLLER_METRICS.reconcileTotal);
/** The work queue is empty and no reconcile runs: a late write would have happened by now. */
const idle = async (r: OperatorProcess) => {
  const text = await r.scrape();
  return metricSum(text, CONTROLLER_METRICS.queueDepth) + metricSum(text, CONTROLLER_METRICS.activeWorkers) === 0;
};
const transitions = async (r: OperatorProcess, to: string) =>
  metricSum(await r.scrape(), 'challenge_state_transitions_total', `to="${to}"`);
const statusSeries = async (r: OperatorProcess) => parseSeries(await r.scrape(), STATUS_METRIC);

test('only the leader reconciles and exports; SIGKILL hands over within the lease; no double work', async () => {
  const a = await start();
  await waitFor('a leads', () => leading(a), 15_000);
  const b = await start();
  // Nothing to wait for: b must stay a follower, so it gets two retry periods in which it could take the lease.
  await new Promise((r) => setTimeout(r, 2 * RETRY_MS));
  assert.equal(await leading(b), false);

  const names = Array.from({ length: N }, (_, i) => `c-${i}`);
  await pool(names, 10, (name, i) => kube.createChallenge(name, { user: `user-${i % 5}`, definition: 'web' }));
  await waitFor(
    'all Pending with children',
    async () => {
      const chs = await kube.challenges();
      // The endpoint (the Service's node port) is written once the Service has it: A is done writing after that.
      return (
        chs.length === N &&
        chs.every((c) => c.status?.currentStatus?.state === 'Pending' && c.status.endpoint !== undefined) &&
        (await kube.childReport()).perChallenge.size === N
      );
    },
    30_000
  );

  // The standby watched everything (its caches are warm) but did nothing and exports no challenge series.
  assert.equal(await reconciles(b), 0, 'the standby reconciled');
  assert.equal((await statusSeries(b)).size, 0);
  assert.ok((await reconciles(a)) >= N);
  assert.equal((await statusSeries(a)).size, N);
  assert.equal(await transitions(a, 'Pending'), N);

  const childVersions = async () =>
    new Map(
      [...(await kube.deployments()), ...(await kube.services())].map((o) => [
        `${o.kind}/${o.metadata!.name}`,
        o.metadata!.resourceVersion!,
      ])
    );
  const challengeVersions = async () =>
    new Map((await kube.challenges()).map((c) => [c.metadata.name, c.metadata.resourceVersion!]));
  const childrenBefore = await childVersions();
  const challengesBefore = await challengeVersions();
  const leases = env.kubeConfig.makeApiClient(CoordinationV1Api);
  const leaseBefore = await leases.readNamespacedLease({ name: 'lock', namespace: kube.ns });

  await a.kill('SIGKILL');
  const killedAt = Date.now();
  // A's last renewal, as the Lease holds it once A is gone (B cannot take over for a while yet).
  const leaseAtKill = await leases.readNamespacedLease({ name: 'lock', namespace: kube.ns });
  await waitFor('b leads', () => leading(b), LEASE_MS + 10_000);
  const handoverMs = Date.now() - killedAt;
  const lease = await leases.readNamespacedLease({ name: 'lock', namespace: kube.ns });
  const lastRenewByA = new Date(leaseAtKill.spec!.renewTime!).getTime();
  const acquiredByB = new Date(lease.spec!.acquireTime!).getTime();
  const afterRenewMs = acquiredByB - lastRenewByA;
  process.stderr.write(
    `# handover ${handoverMs} ms after SIGKILL, ${afterRenewMs} ms after A's last renewal (lease ${LEASE_MS} ms, retry ${RETRY_MS} ms)\n`
  );
  assert.ok(lease.spec!.holderIdentity !== leaseBefore.spec!.holderIdentity);
  assert.equal(lease.spec!.leaseTransitions, (leaseBefore.spec!.leaseTransitions ?? 0) + 1);
  // The standby may take over only once the lease ran out after A's last renewal, and does so on its next retry;
  // the rest is slack for a loaded 2-core CI machine (measured 3.1-3.9 s there).
  assert.ok(lease.spec!.holderIdentity !== leaseAtKill.spec!.holderIdentity);
  assert.ok(
    afterRenewMs >= LEASE_MS - 50,
    `taken over ${afterRenewMs} ms after the last renewal: before the lease expired`
  );
  assert.ok(
    afterRenewMs <= LEASE_MS + 2 * RETRY_MS + 1000 && handoverMs <= LEASE_MS + 2 * RETRY_MS + 1000,
    `handover took ${handoverMs} ms`
  );

  // B takes over with everything already converged: it reconciles every key but writes nothing.
  await waitFor('b exports every series', async () => (await statusSeries(b)).size === N);
  await waitFor('b went through every key', async () => (await reconciles(b)) >= N);
  await waitFor('b has nothing queued or running', () => idle(b));
  assert.deepEqual(await childVersions(), childrenBefore, 'children rewritten by the new leader');
  assert.deepEqual(await challengeVersions(), challengesBefore, 'Challenges rewritten by the new leader');
  assert.equal(await transitions(b, 'Pending'), 0);

  // And it carries on: each instance goes Running exactly once.
  for (const d of await kube.deployments()) {
    await kube.markAvailable(d);
  }
  await waitFor(
    'all Running',
    async () => (await kube.challenges()).every((c) => c.status?.currentStatus?.state === 'Running'),
    30_000
  );
  await waitFor('b counted every transition', async () => (await transitions(b, 'Running')) === N);
  await waitFor('b has nothing queued or running', () => idle(b));
  assert.equal(await transitions(b, 'Running'), N);
  const report = await kube.childReport();
  assert.deepEqual([report.orphans, report.duplicates, report.perChallenge.size], [[], [], N]);
});
