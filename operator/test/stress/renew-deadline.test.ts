// The renew deadline on the real apiserver: the leader (the chart's ServiceAccount) loses the right to renew its
// Lease (its leader-election RoleBinding is deleted: every renewal is now a 403), the standby (another identity,
// admin credentials) waits for the Lease to run out on its own clock. The leader must stop acting (leader flag,
// Challenge series) at its 10 s renew deadline, before the standby may take over at 15 s: at no sample do both act.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { STATUS_METRIC } from '@hexactf/contract';
import { waitFor } from '@hexactf/testing/wait';
import { OperatorProcess } from './support.ts';
import { LEASE_NAME, replicaArgs, sample, sleep } from './request-path.ts';
import { privateControlPlaneForFile, installWithChallenges } from './two-replicas.ts';

const plane = privateControlPlaneForFile();
const replicas = plane.replicas;

test('a leader that cannot renew stops acting at its renew deadline, before the standby takes over', async () => {
  const env = plane.env();
  const { installed, leases } = await installWithChallenges(env, 3);
  const a = await OperatorProcess.start(installed.kubeconfigPath, replicaArgs(installed));
  replicas.push(a);
  const acting = async (r: OperatorProcess) => {
    const text = await r.scrape().catch(() => '');
    const leading = sample(text, `leader_election_master_status{name="${LEASE_NAME}"}`) === 1;
    const series = text.split('\n').filter((l) => l.startsWith(`${STATUS_METRIC}{`)).length;
    return { leading, series, acts: leading || series > 0 };
  };
  await waitFor('a leads and exports its series', async () => (await acting(a)).series === 3, 30_000);
  const b = await OperatorProcess.start(env.kubeconfigPath, replicaArgs(installed));
  replicas.push(b);

  const timeline: Array<{ at: number; a: boolean; b: boolean }> = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const [sa, sb] = await Promise.all([acting(a), acting(b)]);
      timeline.push({ at: Date.now(), a: sa.acts, b: sb.acts });
      await sleep(100);
    }
  })();
  await sleep(1000);
  const lastBefore = leases.renewals.at(-1)!;
  await env.kubeConfig
    .makeApiClient(RbacAuthorizationV1Api)
    .deleteNamespacedRoleBinding({ name: `${installed.fullname}-leader-election`, namespace: installed.ns });
  await waitFor('b acts', async () => timeline.at(-1)?.b === true, 40_000);
  await sleep(1000);
  sampling = false;
  await sampler;
  leases.stop();

  const aRenewals = leases.renewals.filter((r) => r.holder === lastBefore.holder);
  const aLast = aRenewals.at(-1)!.renewTime;
  const aStopped = timeline.find((s, k) => k > 0 && timeline[k - 1].a && !s.a)?.at;
  const bStarted = timeline.find((s) => s.b)?.at;
  const both = timeline.filter((s) => s.a && s.b);
  process.stderr.write(
    `# a's last renewal ${new Date(aLast).toISOString()}; a stopped acting ${aStopped! - aLast} ms after it; b acted ${bStarted! - aLast} ms after it; ${timeline.length} samples, both acting in ${both.length}\n`
  );
  assert.ok(aStopped !== undefined && bStarted !== undefined);
  assert.ok(aStopped! - aLast <= 10_000 + 1500, `a stopped ${aStopped! - aLast} ms after its last renewal`);
  assert.ok(aStopped! < bStarted!, 'a stopped before b started');
  assert.deepEqual(both, []);
  assert.ok(leases.holders().length === 2, 'b took the Lease');
  assert.match(a.log, /lost leadership: lease not renewed within the renew deadline/);
});
