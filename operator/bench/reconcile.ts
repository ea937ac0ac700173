// 1,000 Challenges to children created and status written, against a real kube-apiserver + etcd (private, on
// loopback, a fresh one for every run). Baseline in the same run: the operator's own API writes made directly,
// with its own HTTP client and concurrency (create the Challenge, add the finalizer, apply its children, write its
// status): what a zero-overhead operator would cost. Both create their Challenges with that client, 50 at a time.
// Baseline and operator alternate over a few rounds, the order swapped each round, and the median of the rounds'
// ratios is reported (the shared machine's load drifts by tens of percent within a minute). Full mode also times
// the same writes through client-node (the baseline before the operator had its own client). Reported: wall time
// to converge, ratio to the baseline, per-Challenge latency from create to status written (p50/p90/p99),
// per-reconcile duration percentiles, and the process's memory.
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { startTestEnv, type TestEnv } from '../test/support/test-env.ts';
import { createTestNamespace } from '../test/support/cluster-setup.ts';
import { startOperator } from '../src/operator.ts';
import { desiredChildren } from '../src/controller/children.ts';
import { KubeClient } from '../src/kube/client.ts';
import { RestClient } from '../src/kube/rest.ts';
import type { KubeConfigLike } from '../src/kube/kubeconfig.ts';
import { FINALIZER, type Challenge, type ChallengeDefinition } from '../src/api/types.ts';
import { percentile, reexecWithImageFlags, row, short } from './report.ts';
import { definitionSpec } from '../test/integration/harness.ts';
import { pool } from '../test/stress/support.ts';

const G = { group: 'apps.hexactf.io', version: 'v1alpha1' };
const WORKERS = 4; // --max-concurrent-reconciles default

/** The benches' Challenge i: 25 challenges, 200 players. */
export function challengeBody(name: string, i: number) {
  return {
    apiVersion: 'apps.hexactf.io/v1alpha1',
    kind: 'Challenge',
    metadata: {
      name,
      labels: { 'apps.hexactf.io/challengeId': String(1 + (i % 25)), 'apps.hexactf.io/user': `player-${i % 200}` },
    },
    spec: { definition: 'web' },
  };
}

async function setupNamespace(env: TestEnv, prefix: string): Promise<string> {
  const ns = await createTestNamespace(env.kubeConfig, prefix);
  await env.kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    ...G,
    namespace: ns,
    plural: 'challengedefinitions',
    body: {
      apiVersion: 'apps.hexactf.io/v1alpha1',
      kind: 'ChallengeDefinition',
      metadata: { name: 'web' },
      spec: definitionSpec(),
    },
  });
  return ns;
}

/** The API work of n instances done directly: no caches, no operator. */
async function baseline(env: TestEnv, n: number): Promise<number> {
  const ns = await setupNamespace(env, 'bench-raw');
  const custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
  const apps = env.kubeConfig.makeApiClient(AppsV1Api);
  const core = env.kubeConfig.makeApiClient(CoreV1Api);
  const net = env.kubeConfig.makeApiClient(NetworkingV1Api);
  const def = { metadata: { name: 'web', namespace: ns }, spec: definitionSpec() } as ChallengeDefinition;
  const names = Array.from({ length: n }, (_, i) => `c-${i}`);
  const t0 = performance.now();
  const created: Challenge[] = [];
  await pool(names, 50, async (name, i) => {
    created[i] = (await custom.createNamespacedCustomObject({
      ...G,
      namespace: ns,
      plural: 'challenges',
      body: challengeBody(name, i),
    })) as Challenge;
  });
  await pool(created, WORKERS, async (ch) => {
    for (const child of desiredChildren(ch, def)) {
      if (child.kind === 'Deployment') {
        await apps.createNamespacedDeployment({ namespace: ns, body: child.object as never });
      } else if (child.kind === 'NetworkPolicy') {
        await net.createNamespacedNetworkPolicy({ namespace: ns, body: child.object as never });
      } else {
        await core.createNamespacedService({ namespace: ns, body: child.object as never });
      }
    }
    await custom.patchNamespacedCustomObjectStatus(
      {
        ...G,
        namespace: ns,
        plural: 'challenges',
        name: ch.metadata.name,
        body: { status: { currentStatus: { state: 'Pending', errorMsg: '' }, observedGeneration: 1 } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch)
    );
  });
  return performance.now() - t0;
}

/**
 * The operator's own writes for n instances, made directly with its own HTTP client (no caches, queue or
 * reconciler): create the Challenge, add the finalizer, apply the children concurrently, write the status.
 * `as` makes the writes after the create with other credentials in a namespace of theirs (the operator's
 * ServiceAccount under the chart's flow control: bench/request-path.ts); its `before`, if any, runs in the worker
 * before each Challenge's writes (more writes of the caller's, made by the same four workers as the operator's).
 */
export async function sameClientBaseline(
  env: TestEnv,
  n: number,
  as?: { kubeConfig: KubeConfigLike; namespace: string; before?: () => Promise<void> }
): Promise<number> {
  const ns = as?.namespace ?? (await setupNamespace(env, 'bench-same'));
  const rest = new RestClient(env.kubeConfig);
  const writer = as ? new RestClient(as.kubeConfig) : rest;
  const client = new KubeClient(writer);
  const def = { metadata: { name: 'web', namespace: ns }, spec: definitionSpec() } as ChallengeDefinition;
  const names = Array.from({ length: n }, (_, i) => `c-${i}`);
  const t0 = performance.now();
  const created: Challenge[] = [];
  await pool(names, 50, async (name, i) => {
    created[i] = await rest.request<Challenge>('POST', `/apis/${G.group}/${G.version}/namespaces/${ns}/challenges`, {
      body: challengeBody(name, i),
    });
  });
  await pool(created, WORKERS, async (ch) => {
    await as?.before?.();
    ch = await client.setFinalizers(ch, [FINALIZER]);
    await Promise.all(desiredChildren(ch, def).map((child) => client.apply(child.object)));
    await client.patchChallengeStatus(ch, { currentStatus: { state: 'Pending', errorMsg: '' }, observedGeneration: 1 });
  });
  await Promise.all([rest.close(), writer.close()]);
  return performance.now() - t0;
}

async function operatorRun(env: TestEnv, n: number) {
  const ns = await setupNamespace(env, 'bench-op');
  const { manager, challenges } = await startOperator({
    kubeConfig: env.kubeConfig,
    defaultMetrics: false,
    // The defaults: no client-side rate limit (like the baseline's client), so this measures the operator's own
    // overhead (docs/performance.md: what a --kube-api-qps costs on top).
    flags: {
      namespace: ns,
      metricsBindAddress: '0',
      healthProbeBindAddress: '0',
      pendingTimeoutMs: 0,
      challengeTtlMs: 0,
      maxConcurrentReconciles: WORKERS,
    },
  });
  // Measurement hooks only: the raw duration of every reconcile, and when each Challenge's status arrived.
  const reconcileMs: number[] = [];
  const observe = manager.metrics.reconcileTime.observe.bind(manager.metrics.reconcileTime);
  manager.metrics.reconcileTime.observe = ((labels: never, seconds: number) => {
    reconcileMs.push(seconds * 1000);
    observe(labels, seconds);
  }) as typeof observe;
  const createdAt = new Map<string, number>();
  const doneAt = new Map<string, number>();
  let resolveDone!: () => void;
  const allDone = new Promise<void>((r) => (resolveDone = r));
  const check = (ch: Challenge) => {
    if (doneAt.has(ch.metadata.name) || ch.status?.currentStatus?.state !== 'Pending') {
      return;
    }
    doneAt.set(ch.metadata.name, performance.now());
    if (doneAt.size === n) {
      resolveDone();
    }
  };
  challenges.caches.challenges.addHandlers({ onUpdate: (_o, ch) => check(ch), onAdd: check });

  const names = Array.from({ length: n }, (_, i) => `c-${i}`);
  // Created as the baseline creates them (the same client, 50 at a time): client-node's new TLS connection per
  // request cost this process CPU the baseline did not pay.
  const rest = new RestClient(env.kubeConfig);
  const t0 = performance.now();
  await pool(names, 50, async (name, i) => {
    await rest.request('POST', `/apis/${G.group}/${G.version}/namespaces/${ns}/challenges`, {
      body: challengeBody(name, i),
    });
    createdAt.set(name, performance.now());
  });
  await allDone;
  await rest.close();
  const total = performance.now() - t0;
  const children = challenges.caches.deployments.size() + challenges.caches.services.size();
  const mem = process.memoryUsage();
  await manager.stop();
  const latency = names.map((nm) => doneAt.get(nm)! - createdAt.get(nm)!).sort((a, b) => a - b);
  reconcileMs.sort((a, b) => a - b);
  return { total, latency, reconcileMs, children, mem };
}

/** Baseline and operator alternate this many times (order swapped each round): the machine's load drifts. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (short() ? 2 : 4));

/**
 * One run on a fresh apiserver + etcd: on a shared one every run made the next slower (its store and watch cache
 * grow by n Challenges, 3n children and the Events), so the second run of each round paid for the first.
 */
export async function onFreshApiserver<T>(fn: (env: TestEnv) => Promise<T>): Promise<T> {
  // n Services need more cluster IPs than the test env's default /24 holds, and 10,000 NodePort Services more
  // ports than the default range's 2,768.
  const env = await startTestEnv({
    extraApiserverArgs: ['--service-cluster-ip-range=10.0.0.0/16', '--service-node-port-range=20000-39999'],
  });
  try {
    await env.installCrds();
    return await fn(env);
  } finally {
    await env.stop();
  }
}

async function reconcileBench(n: number): Promise<void> {
  const rounds: Array<{ same: number; op: Awaited<ReturnType<typeof operatorRun>> }> = [];
  const sameRun = () => onFreshApiserver((env) => sameClientBaseline(env, n));
  const opRun = () => onFreshApiserver((env) => operatorRun(env, n));
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      const same = await sameRun();
      rounds.push({ same, op: await opRun() });
    } else {
      const op = await opRun();
      rounds.push({ same: await sameRun(), op });
    }
  }
  const base = short() ? undefined : await onFreshApiserver((env) => baseline(env, n));
  const same = rounds.reduce((t, r) => t + r.same, 0) / rounds.length;
  const total = rounds.reduce((t, r) => t + r.op.total, 0) / rounds.length;
  const op = rounds[rounds.length - 1].op;
  // Each round's two runs are next to each other in time, and the load drifts (a spike can double one run): the
  // ratio is the median of the rounds' ratios, not a ratio of the mean times.
  const ratios = rounds.map((r) => r.op.total / r.same);
  const sorted = [...ratios].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const ratio = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const p = (xs: number[], q: number) => percentile(xs, q).toFixed(0);
  row(
    `reconcile ${n}: the same writes directly, same HTTP client (baseline)`,
    `${s(same)} (mean of ${rounds.map((r) => s(r.same)).join(', ')})`
  );
  if (base !== undefined) {
    row(`reconcile ${n}: direct writes through client-node (earlier baseline)`, s(base));
  }
  row(
    `reconcile ${n}: operator, children + status written`,
    `${s(total)} (mean of ${rounds.map((r) => s(r.op.total)).join(', ')}; ${op.children} children), ${ratio.toFixed(2)}x baseline (median of the rounds' ${ratios.map((x) => x.toFixed(2)).join(', ')}; target <= 1.2x: ${ratio <= 1.2 ? 'met' : 'NOT met'})${base !== undefined ? `, ${(total / base).toFixed(2)}x client-node` : ''}${n >= 1000 ? `, target <= 30 s: ${total <= 30_000 ? 'met' : 'NOT met'}` : ''}`
  );
  row(
    `reconcile ${n}: create -> status written per Challenge (last round)`,
    `p50 ${p(op.latency, 50)} ms, p90 ${p(op.latency, 90)} ms, p99 ${p(op.latency, 99)} ms, max ${p(op.latency, 100)} ms`
  );
  row(
    `reconcile ${n}: duration per reconcile (${op.reconcileMs.length} runs, last round)`,
    `p50 ${p(op.reconcileMs, 50)} ms, p90 ${p(op.reconcileMs, 90)} ms, p99 ${p(op.reconcileMs, 99)} ms`
  );
  row(
    `reconcile ${n}: process memory after (operator + bench client)`,
    `rss ${(op.mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(op.mem.heapUsed / 2 ** 20).toFixed(0)} MiB`
  );
}

if (import.meta.main && !reexecWithImageFlags()) {
  await reconcileBench(short() ? 200 : 1000);
}
