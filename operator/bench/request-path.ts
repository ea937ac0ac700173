// The operator's request paths under load, on a real kube-apiserver + etcd (private, loopback, fresh per run), with
// the chart's defaults: the operator CLI as the chart's ServiceAccount with its RBAC and flow control (FlowSchemas
// and priority levels applied for real), no client-side limit, --metrics-secure, leader election 15s/10s/2s.
// Reported, each beside a baseline from the same run:
// - Lease renewal lateness (how long after its retry period each renewal came: max, p99) with no load, under
//   1,500 bogus-token requests in 1.5 s at /metrics, and while n Challenges are created at once;
// - n Challenges to all children + status written by the operator (bench/burst.ts), beside the same writes made
//   directly with the operator's HTTP client and credentials under the same flow control (bench/reconcile.ts's
//   sameClientBaseline, on a fresh apiserver of its own);
// - in both runs a kubelet stand-in (bench/kubelet-at-scale.ts) reports each Deployment available
//   BENCH_KUBELET_DELAY_MS (1,500 by default) after it appears, as pods that become ready within seconds would, so
//   no Challenge waits for the bench. The baseline bears the same extra load: the stand-in runs during its writes
//   too, and for each Deployment reported available the baseline writes that Challenge's Running status (as the
//   operator does), with the operator's credentials, in its same four workers;
// - in the operator's run: the time from Deployment available to Running (p50, p99, max), the largest Running ->
//   endpoint gap (issue 22: at most 5 s), the Challenges in Error (by reason) or never Running; and in both runs
//   the stand-in's own lag (seen -> marked beyond its delay; created -> marked), so a slow stand-in is not read as
//   a slow operator.
// Sizes: 1,000 and 10,000 (BENCH_SHORT: 200; BENCH_SIZES=1000,5000 to choose), BENCH_ROUNDS rounds of each (1 by
// default), operator and baseline alternating which goes first; the median of the rounds' ratios is the figure.
import { loadavg } from 'node:os';
import { median, percentile, row, short } from './report.ts';
import { onFreshApiserver, sameClientBaseline } from './reconcile.ts';
import { burst, type BurstResult } from './burst.ts';
import { KubeletAtScale, type KubeletLag } from './kubelet-at-scale.ts';
import { RestClient } from '../src/kube/rest.ts';
import { Kube, OperatorProcess } from '../test/stress/support.ts';
import {
  LEASE_NAME,
  LeaseRecorder,
  floodBogusTokens,
  installOperatorIdentity,
  replicaArgs,
  sleep,
} from '../test/stress/request-path.ts';

const RETRY_MS = 2000;
const SIZES = (process.env.BENCH_SIZES ?? (short() ? '200' : '1000,10000')).split(',').map(Number);
const IDLE_RENEWALS = short() ? 5 : 10;
/** Operator and baseline runs per size, alternating which goes first (BENCH_ROUNDS; one by default: 10,000 is long). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
/** Running -> endpoint in status, at most (issue 22). */
const ENDPOINT_GAP_MS = 5000;
/** The kubelet stand-in's delay from a Deployment seen to reported available. */
const KUBELET_DELAY_MS = Number(process.env.BENCH_KUBELET_DELAY_MS ?? 1500);

function lateness(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  return `max ${percentile(sorted, 100).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms (${xs.length} renewals)`;
}

const load = () => `load ${loadavg()[0].toFixed(1)}`;

interface OperatorRun {
  idle: number[];
  flood?: { late: number[]; answers: string };
  burst: number[];
  result: BurstResult;
  load: string;
}

async function operatorUnderLoad(n: number, flood: boolean): Promise<OperatorRun> {
  return onFreshApiserver(async (env) => {
    const installed = await installOperatorIdentity(env, true);
    const kube = new Kube(env.kubeConfig, installed.challengeNs);
    await kube.createDefinition('web');
    const leases = await LeaseRecorder.start(env.kubeConfig, installed.ns, LEASE_NAME);
    const op = await OperatorProcess.start(installed.kubeconfigPath, [...replicaArgs(installed), '--metrics-secure']);
    try {
      const renewalsAfter = async (count: number, from: number) => {
        while (leases.renewals.filter((r) => r.renewTime >= from).length < count) {
          await sleep(200);
        }
      };
      const t0 = Date.now();
      await renewalsAfter(IDLE_RENEWALS + 1, t0);
      const idle = leases.lateness(RETRY_MS, t0);

      let floodOut: OperatorRun['flood'];
      if (flood) {
        const floodFrom = Date.now();
        const answered = await floodBogusTokens(op.metricsUrl, 1500, 1500);
        await renewalsAfter(3, Date.now());
        floodOut = {
          late: leases.lateness(RETRY_MS, floodFrom, Date.now()),
          answers: `${JSON.stringify(Object.fromEntries(answered.statuses))} within ${answered.answeredMs.toFixed(0)} ms`,
        };
      }

      const burstFrom = Date.now();
      let burstTo = Infinity;
      let loadAt = '';
      const result = await burst(env.kubeConfig, installed.challengeNs, n, KUBELET_DELAY_MS, () => {
        burstTo = Date.now();
        loadAt = load();
      });
      return { idle, flood: floodOut, burst: leases.lateness(RETRY_MS, burstFrom, burstTo), result, load: loadAt };
    } finally {
      leases.stop();
      await op.kill('SIGTERM');
    }
  });
}

/**
 * The same writes directly, as the operator's ServiceAccount under the same flow control (creates as admin), with
 * the same kubelet stand-in; a Challenge whose Deployment it reported available gets its Running status written by
 * the same four workers, one before each next Challenge's writes (the operator's workers write Running too).
 */
async function direct(n: number): Promise<{ ms: number; load: string; kubelet: KubeletLag; running: number }> {
  return onFreshApiserver(async (env) => {
    const installed = await installOperatorIdentity(env, true);
    const ns = installed.challengeNs;
    await new Kube(env.kubeConfig, ns).createDefinition('web');
    const kubeletRest = new RestClient(env.kubeConfig);
    const writer = new RestClient(installed.kubeConfig);
    const available: string[] = [];
    let running = 0;
    const kubelet = await KubeletAtScale.start(kubeletRest, ns, {
      delayMs: KUBELET_DELAY_MS,
      onMarked: (name) => available.push(name),
    });
    const writeRunning = async () => {
      const name = available.shift();
      if (name !== undefined) {
        await writer.request('PATCH', `/apis/apps.hexactf.io/v1alpha1/namespaces/${ns}/challenges/${name}/status`, {
          body: { status: { currentStatus: { state: 'Running', errorMsg: '' } } },
          contentType: 'application/merge-patch+json',
        });
        running++;
      }
    };
    try {
      const ms = await sameClientBaseline(env, n, {
        kubeConfig: installed.kubeConfig,
        namespace: ns,
        before: writeRunning,
      });
      return { ms, load: load(), kubelet: kubelet.lag(), running };
    } finally {
      await kubelet.stop();
      await Promise.all([kubeletRest.close(), writer.close()]);
    }
  });
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
function kubeletRow(label: string, k: KubeletLag): void {
  const q = (xs: number[]) =>
    `p50 ${s(percentile(xs, 50))}, p99 ${s(percentile(xs, 99))}, max ${s(percentile(xs, 100))}`;
  row(
    label,
    `seen -> marked beyond the ${KUBELET_DELAY_MS} ms delay ${q(k.beyondDelayMs)}; created -> marked ${q(k.createdToMarkedMs)} ` +
      `(${k.marked} marked, watch restarted ${k.restarts} times, ${k.retries} writes sent again)`
  );
}
const worst: number[] = [];
let turn = 0;
for (const n of SIZES) {
  const target = n > 1000 ? 1.3 : 1.2;
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Baseline first in one round, operator first in the next: the load drifts within a run.
    const first = turn % 2 === 0 ? await direct(n) : undefined;
    const op = await operatorUnderLoad(n, turn === 0);
    const base = first ?? (await direct(n));
    turn++;
    if (op.flood) {
      row('lease renewal lateness, no load (baseline)', lateness(op.idle));
      row(
        'lease renewal lateness, 1,500 bogus tokens in 1.5 s',
        `${lateness(op.flood.late)}; answers ${op.flood.answers}`
      );
      worst.push(...op.flood.late);
    }
    row(`lease renewal lateness, ${n} Challenges created at once`, lateness(op.burst));
    worst.push(...op.burst);
    const ratio = op.result.convergeMs / base.ms;
    ratios.push(ratio);
    row(`${n} Challenges, the same writes directly (baseline)`, `${s(base.ms)} (${base.load})`);
    kubeletRow(`${n}: kubelet stand-in lag, baseline's run`, base.kubelet);
    row(`${n}: baseline's Running writes within its time`, String(base.running));
    row(
      `${n} Challenges to children + status, chart defaults`,
      `${s(op.result.convergeMs)} (${op.load}), ${ratio.toFixed(2)}x baseline`
    );
    kubeletRow(`${n}: kubelet stand-in lag, operator's run`, op.result.kubelet);
    const lag = op.result.runningLagMs;
    const p = (q: number) => s(percentile(lag, q));
    row(`${n}: Deployment available -> Running`, `p50 ${p(50)}, p99 ${p(99)}, max ${p(100)} (${lag.length} Running)`);
    const gap = op.result.endpointGapMs;
    row(
      `${n}: Running -> endpoint in status, max`,
      `${gap === Infinity ? 'never' : `${Math.max(0, gap).toFixed(0)} ms`} (target <= ${ENDPOINT_GAP_MS} ms: ${gap <= ENDPOINT_GAP_MS ? 'met' : 'NOT met'})`
    );
    const errors = [...op.result.errors].map(([reason, c]) => `${reason} ${c}`).join(', ');
    row(
      `${n}: Challenges in Error / never Running`,
      `${errors || '0'} / ${op.result.notRunning} (the bench's watch restarted ${op.result.watchRestarts} times)`
    );
  }
  const ratio = median(ratios);
  row(
    `${n} Challenges: operator / baseline, median of ${ROUNDS}`,
    `${ratio.toFixed(2)}x (${ratios.map((x) => x.toFixed(2)).join(', ')}; target <= ${target}x: ${ratio <= target ? 'met' : 'NOT met'})`
  );
}
const late = Math.max(...worst);
row('  target: no renewal later than its retry period (+1 s slack)', late <= 1000 ? 'met' : `NOT met (${late} ms)`);
