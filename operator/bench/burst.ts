// n Challenges created at once against an operator that runs as the chart installs it, seen through one list +
// watch (bench/challenge-watch.ts), while a kubelet stand-in (bench/kubelet-at-scale.ts) reports each Deployment
// available a short delay after it appears: the time until every one has its children and a Pending status, how
// long each took to be Running after its Deployment was reported available, the largest gap between Running and
// its endpoint in status, the Challenges that ended in Error (by reason), and the stand-in's own lag.
import { RestClient } from '../src/kube/rest.ts';
import type { KubeConfigLike } from '../src/kube/kubeconfig.ts';
import { pool } from '../test/stress/support.ts';
import { ChallengeWatch } from './challenge-watch.ts';
import { KubeletAtScale, type KubeletLag } from './kubelet-at-scale.ts';
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
  /** The kubelet stand-in: its lag (sorted, ms), Deployments marked, watch restarts and writes sent again. */
  kubelet: KubeletLag;
}

/** How long to wait for every Challenge to be Running (or in Error) once all are Pending. */
const RUNNING_WAIT_MS = 10 * 60_000;

/** `onConverged` runs once all are Pending (the caller's timing window); `delayMs`: the stand-in's delay. */
export async function burst(
  admin: KubeConfigLike,
  namespace: string,
  n: number,
  delayMs: number,
  onConverged: () => void = () => {}
): Promise<BurstResult> {
  // The same client and concurrency as the baseline's creates (bench/reconcile.ts sameClientBaseline).
  const rest = new RestClient(admin);
  const watch = await ChallengeWatch.start(rest, namespace);
  // Its own client: its writes do not queue behind the creates' connections.
  const kubeletRest = new RestClient(admin);
  const kubelet = await KubeletAtScale.start(kubeletRest, namespace, { delayMs });
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
      runningLagMs.push(running - (kubelet.markedAt.get(name) ?? running));
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
      kubelet: kubelet.lag(),
    };
  } finally {
    watch.stop();
    await kubelet.stop();
    await Promise.all([rest.close(), kubeletRest.close()]);
  }
}
