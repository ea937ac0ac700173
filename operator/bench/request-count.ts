// How many API requests one Challenge costs the operator, counted at the real kube-apiserver (its audit log,
// bench/audit-log.ts): from create to Running with its endpoint, and from delete to gone, by verb and resource,
// divided by the number of Challenges. The operator runs as the chart installs it (its ServiceAccount, RBAC, flow
// control, leader election, no client-side limit); a kubelet stand-in reports each Deployment available after
// 200 ms. Lease renewals and the informers' lists and watches are shown apart: they do not grow with Challenges.
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir, removeTempDir } from '@hexactf/testing/processes';
import { startTestEnv } from '../test/support/test-env.ts';
import { Kube, OperatorProcess, pool } from '../test/stress/support.ts';
import { installOperatorIdentity, replicaArgs } from '../test/stress/request-path.ts';
import { auditArgs, countRequests } from './audit-log.ts';
import { startKubeletStandIn } from './kubelet-stand-in.ts';
import { row, short } from './report.ts';

const N = Number(process.env.BENCH_COUNT_N ?? (short() ? 20 : 100));
/** Quiet time before and after each phase, so that requests a phase triggers late are counted in it. */
const SETTLE_MS = 3000;

export type Counts = Map<string, number>;

/** Requests per Challenge of the operator's ServiceAccount: create to Running + endpoint, delete to gone. */
export async function requestsPerChallenge(n: number): Promise<{ create: Counts; remove: Counts }> {
  const dir = tempDir('hexactf-reqcount-');
  const audit = auditArgs(dir);
  const env = await startTestEnv({ extraApiserverArgs: ['--service-cluster-ip-range=10.0.0.0/16', ...audit.args] });
  try {
    await env.installCrds();
    const installed = await installOperatorIdentity(env, true);
    const kube = new Kube(env.kubeConfig, installed.challengeNs);
    await kube.createDefinition('web');
    const standIn = await startKubeletStandIn(env.kubeConfig, kube, installed.challengeNs, 200, () => false);
    const op = await OperatorProcess.start(installed.kubeconfigPath, replicaArgs(installed));
    try {
      await sleep(SETTLE_MS); // lists, watches and the Lease taken
      const t0 = Date.now();
      const names = Array.from({ length: n }, (_, k) => `c-${k}`);
      await pool(names, 50, (name, k) => kube.createChallenge(name, { user: `player-${k % 200}`, definition: 'web' }));
      for (;;) {
        const all = await kube.challenges();
        const ready = all.filter((c) => c.status?.currentStatus?.state === 'Running' && c.status.endpoint);
        if (ready.length === n) {
          break;
        }
        await sleep(250);
      }
      await sleep(SETTLE_MS);
      const t1 = Date.now();
      await pool(names, 50, (name) => kube.deleteChallenge(name));
      while ((await kube.challenges()).length > 0) {
        await sleep(250);
      }
      await sleep(SETTLE_MS);
      const t2 = Date.now();
      const user = `system:serviceaccount:${installed.ns}:${installed.fullname}`;
      return { create: countRequests(audit.log, user, t0, t1), remove: countRequests(audit.log, user, t1, t2) };
    } finally {
      standIn.stop();
      await op.kill('SIGTERM');
    }
  } finally {
    await env.stop();
    removeTempDir(dir);
  }
}

/** Leases, lists and watches: the operator's whatever the number of Challenges. */
const notPerChallenge = (key: string) => / leases/.test(key) || /^(list|watch) /.test(key);

export function reportCounts(label: string, counts: Counts, n: number): number {
  let total = 0;
  const parts: string[] = [];
  const apart: string[] = [];
  for (const [key, count] of [...counts].sort((a, b) => b[1] - a[1])) {
    if (notPerChallenge(key)) {
      apart.push(`${key} ${count}`);
      continue;
    }
    total += count;
    parts.push(`${key} ${(count / n).toFixed(2)}`);
  }
  row(`${label}: requests per Challenge`, `${(total / n).toFixed(2)} (${n} Challenges)`);
  for (const p of parts) {
    row('', p);
  }
  row('', `not per Challenge, in all: ${apart.join(', ') || 'none'}`);
  return total / n;
}

if (import.meta.main) {
  const { create, remove } = await requestsPerChallenge(N);
  reportCounts('create -> Running + endpoint', create, N);
  reportCounts('delete -> gone', remove, N);
}
