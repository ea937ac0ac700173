// Issue "client-side limit", on the real apiserver with API Priority and Fairness on: the chart's FlowSchemas and
// priority levels for the operator's ServiceAccount, applied for real. The operator (the CLI, as that
// ServiceAccount, no client-side limit: the default) leads with the chart's 15s/10s/2s and reconciles Challenges
// while a burst of 1,000 creates made with the operator's own client and credentials hits the apiserver, 200 at
// once. The Lease renewals stay on time (their own FlowSchema, matched first, their own level), the operator's
// level never executes more seats than its limit (the apiserver's own sampling histogram of seat utilization never
// goes above 1), and the burst really was queued by it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '@hexactf/testing/wait';
import { RestClient } from '../../src/kube/rest.ts';
import type { TestEnv } from '../support/test-env.ts';
import { Kube, OperatorProcess, pool, privateEnv } from './support.ts';
import { LEASE_NAME, LeaseRecorder, apfSnapshot, installOperatorIdentity, replicaArgs, sleep } from './request-path.ts';

const RETRY_MS = 2000;
const SLACK_MS = 1000;
const BURST = 1000;
const AT_ONCE = 200;
const CHALLENGES = 50;

let env: TestEnv;
let op: OperatorProcess | undefined;
before(async () => {
  env = await privateEnv();
});
after(async () => {
  await op?.kill();
  await env?.stop();
});

test(`the chart's flow control: ${BURST} creates of the operator's client, renewals on time, the level's seats bounded`, async () => {
  const installed = await installOperatorIdentity(env, true);
  const level = installed.fullname;
  const leaseLevel = `${installed.fullname}-leader-election`;
  const kube = new Kube(env.kubeConfig, installed.challengeNs);
  await kube.createDefinition('web');
  const leases = await LeaseRecorder.start(env.kubeConfig, installed.ns, LEASE_NAME);
  op = await OperatorProcess.start(installed.kubeconfigPath, replicaArgs(installed));
  await waitFor('the operator leads', async () => leases.renewals.length >= 2, 30_000);
  const before = await apfSnapshot(env, [level, leaseLevel]);

  // Executing seats of the operator's level, sampled while the burst runs (the histogram below covers every instant).
  let sampling = true;
  let maxExecuting = 0;
  let maxQueued = 0;
  const sampler = (async () => {
    while (sampling) {
      const s = await apfSnapshot(env, [level]);
      maxExecuting = Math.max(maxExecuting, s.executingSeats[level] ?? 0);
      maxQueued = Math.max(maxQueued, s.inQueue[level] ?? 0);
      await sleep(100);
    }
  })();
  const burstFrom = Date.now();
  const names = Array.from({ length: CHALLENGES }, (_, k) => `c-${k}`);
  const challenges = pool(names, 10, (name, k) =>
    kube.createChallenge(name, { user: `u-${k % 10}`, definition: 'web' })
  );
  // The operator's own client and credentials: its writes, all at once instead of 4 workers' worth.
  const rest = new RestClient(installed.kubeConfig);
  const codes = new Map<string, number>();
  const t0 = performance.now();
  await pool(
    Array.from({ length: BURST }, (_, k) => k),
    AT_ONCE,
    async (k) => {
      const outcome = await rest
        .request('POST', `/apis/apps/v1/namespaces/${installed.challengeNs}/deployments`, {
          body: burstDeployment(`burst-${k}`),
        })
        .then(
          () => 'created',
          (err) => String(err.code)
        );
      codes.set(outcome, (codes.get(outcome) ?? 0) + 1);
    }
  );
  const burstMs = performance.now() - t0;
  await rest.close();
  await challenges;
  await waitFor(
    'every Challenge Pending with its children',
    async () =>
      (await kube.challenges()).filter((c) => c.status?.currentStatus?.state === 'Pending').length === CHALLENGES,
    120_000
  );
  await sleep(2 * RETRY_MS); // renewals after the burst belong to the record too
  sampling = false;
  await sampler;
  leases.stop();
  const after = await apfSnapshot(env, [level, leaseLevel]);

  const late = leases.lateness(RETRY_MS, burstFrom);
  const worst = Math.max(...late);
  const dispatched = (l: string) => (after.dispatched[l] ?? 0) - (before.dispatched[l] ?? 0);
  const observed = (after.utilizationSamples[level] ?? 0) - (before.utilizationSamples[level] ?? 0);
  const over = (after.utilizationAboveOne[level] ?? 0) - (before.utilizationAboveOne[level] ?? 0);
  process.stderr.write(
    `# burst: ${BURST} creates, ${AT_ONCE} at once, in ${(burstMs / 1000).toFixed(1)} s: ${JSON.stringify(Object.fromEntries(codes))}\n` +
      `# level ${level}: limit ${after.limitSeats[level]} seats, sampled max executing ${maxExecuting}, max queued ${maxQueued}, dispatched ${dispatched(level)}, utilization samples above 1: ${over} of ${observed}\n` +
      `# level ${leaseLevel}: dispatched ${dispatched(leaseLevel)}\n` +
      `# renewals from the burst on: ${late.length}, lateness beyond ${RETRY_MS} ms: max ${worst} ms (${late.join(', ')})\n`
  );
  assert.equal(codes.get('created'), BURST, JSON.stringify(Object.fromEntries(codes)));
  assert.ok(dispatched(level) >= BURST, "the operator's requests went through the chart's level");
  assert.ok(dispatched(leaseLevel) >= late.length, 'the renewals went through their own level');
  assert.ok(after.limitSeats[level]! > 0);
  assert.ok(maxExecuting <= after.limitSeats[level]!, `${maxExecuting} seats executing`);
  assert.ok(observed > 0, "the apiserver's seat utilization histogram");
  assert.equal(over, 0, 'the apiserver saw the level above its seats');
  assert.ok(maxQueued > 0, 'the burst never waited in the level: the bound did not bite');
  assert.equal(leases.holders().length, 1);
  assert.ok(late.length >= 3, `${late.length} renewals`);
  assert.ok(worst <= SLACK_MS, `a renewal came ${worst} ms after its retry period`);
});

function burstDeployment(name: string) {
  const labels = { app: 'burst' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: 0,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  };
}
