// n Challenges created at once against an operator that runs as the chart installs it, seen through one list +
// watch (bench/challenge-watch.ts): the time until every one has its children and a Pending status, then, once
// every Deployment is reported available, how long each took to be Running after that, the largest gap between
// Running and its endpoint in status, and the Challenges that ended in Error (by reason).
import { RestClient } from '../src/kube/rest.ts';
import type { KubeConfigLike } from '../src/kube/kubeconfig.ts';
import { pool } from '../test/stress/support.ts';
import { ChallengeWatch } from './challenge-watch.ts';
import { markDeploymentsAvailable } from './deployments-available.ts';
import { challengeBody } from './reconcile.ts';

export interface BurstResult {
  /** Create of the first to the last one Pending (children + status written), ms. */
  convergeMs: number;
  /** Deployment marked available -> Running seen, per Challenge, sorted, ms. */
  runningLagMs: number[];
  /** Largest Running -> endpoint in status gap (0 when the endpoint came first), ms. */
  endpointGapMs: number;
  /** Challenges never seen Running within the wait, and those in Error by reason. */
  notRunning: number;
  errors: Map<string, number>;
  watchRestarts: number;
}

/** How long to wait for Running after every Deployment was marked available. */
const RUNNING_WAIT_MS = 10 * 60_000;

/** `onConverged` runs once all are Pending, before the Deployments are marked (the caller's timing window). */
export async function burst(
  admin: KubeConfigLike,
  namespace: string,
  n: number,
  onConverged: () => void = () => {}
): Promise<BurstResult> {
  // The same client and concurrency as the baseline's creates (bench/reconcile.ts sameClientBaseline).
  const rest = new RestClient(admin);
  const watch = await ChallengeWatch.start(rest, namespace);
  try {
    const names = Array.from({ length: n }, (_, k) => `c-${k}`);
    const c0 = performance.now();
    await pool(names, 50, (name, i) =>
      rest.request('POST', `/apis/apps.hexactf.io/v1alpha1/namespaces/${namespace}/challenges`, {
        body: challengeBody(name, i),
      })
    );
    await watch.until(n, 'Pending');
    const convergeMs = performance.now() - c0;
    onConverged();
    const marked = await markDeploymentsAvailable(rest, namespace);
    await Promise.race([
      watch.until(n, 'Running', 'Error'),
      new Promise((r) => setTimeout(r, RUNNING_WAIT_MS).unref()),
    ]);
    const runningLagMs: number[] = [];
    let endpointGapMs = 0;
    let notRunning = 0;
    for (const [name, s] of watch.seen) {
      const running = s.at.get('Running');
      if (running === undefined) {
        notRunning++;
        continue;
      }
      runningLagMs.push(running - (marked.get(name) ?? running));
      endpointGapMs = Math.max(endpointGapMs, (s.endpointAt ?? Infinity) - running);
    }
    runningLagMs.sort((a, b) => a - b);
    return {
      convergeMs,
      runningLagMs,
      endpointGapMs,
      notRunning,
      errors: watch.errors(),
      watchRestarts: watch.restarts,
    };
  } finally {
    watch.stop();
    await rest.close();
  }
}
