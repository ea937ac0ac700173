// The start the two-replica tests share: a private control plane for the test file (the replicas a test starts are
// killed before it stops), the chart's identity installed on it, a `web` definition with `count` Challenges of
// their own users, and a record of every Lease renewal from then on.
import { after, before } from 'node:test';
import type { TestEnv } from '../support/test-env.ts';
import { Kube, OperatorProcess, privateEnv } from './support.ts';
import { LEASE_NAME, LeaseRecorder, installOperatorIdentity } from './request-path.ts';

export function privateControlPlaneForFile(): { env: () => TestEnv; replicas: OperatorProcess[] } {
  let env: TestEnv | undefined;
  const replicas: OperatorProcess[] = [];
  before(async () => {
    env = await privateEnv();
  });
  after(async () => {
    for (const r of replicas) {
      await r.kill();
    }
    await env?.stop();
  });
  return { env: () => env!, replicas };
}

export async function installWithChallenges(env: TestEnv, count: number) {
  const installed = await installOperatorIdentity(env, false);
  const kube = new Kube(env.kubeConfig, installed.challengeNs);
  await kube.createDefinition('web');
  for (let k = 0; k < count; k++) {
    await kube.createChallenge(`c-${k}`, { user: `u-${k}`, definition: 'web' });
  }
  const leases = await LeaseRecorder.start(env.kubeConfig, installed.ns, LEASE_NAME);
  return { installed, kube, leases };
}
