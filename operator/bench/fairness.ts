// Fairness across users under --max-per-user=1, against a real kube-apiserver + etcd: how long another user's first
// instance takes to be admitted (its children created, status Pending) while one user's pile of N Challenges has
// just been queued, next to the same first instance on an idle operator (the baseline, same run). The pile is
// created before the operator starts, so its start queues all N keys (as after a restart or a burst); user B's
// Challenge is created right after. Run with per-user fair queueing (the default) and without it (fairQueue off).
// `node bench/fairness.ts` (N = 5,000) or BENCH_SHORT=1 / --short (N = 1,000).
import { startOperator } from '../src/operator.ts';
import { RestClient } from '../src/kube/rest.ts';
import type { Challenge } from '../src/api/types.ts';
import { createTestNamespace } from '../test/support/cluster-setup.ts';
import type { TestEnv } from '../test/support/test-env.ts';
import { definitionSpec } from '../test/integration/harness.ts';
import { pool } from '../test/stress/support.ts';
import { onFreshApiserver } from './reconcile.ts';
import { reexecWithImageFlags, row, short } from './report.ts';

const API = '/apis/apps.hexactf.io/v1alpha1';
const TARGET_MS = 5000;
const GIVE_UP_MS = 10 * 60_000;

function challengeBody(name: string, user: string) {
  return {
    apiVersion: 'apps.hexactf.io/v1alpha1',
    kind: 'Challenge',
    metadata: { name, labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': user } },
    spec: { definition: 'web' },
  };
}

/** A namespace with the definition and `pile` Challenges of user A (none reconciled yet: no operator runs). */
async function prepare(env: TestEnv, rest: RestClient, prefix: string, pile: number): Promise<string> {
  const ns = await createTestNamespace(env.kubeConfig, prefix);
  await rest.request('POST', `${API}/namespaces/${ns}/challengedefinitions`, {
    body: {
      apiVersion: 'apps.hexactf.io/v1alpha1',
      kind: 'ChallengeDefinition',
      metadata: { name: 'web' },
      spec: definitionSpec(),
    },
  });
  const names = Array.from({ length: pile }, (_, i) => `a-${String(i).padStart(5, '0')}`);
  await pool(names, 50, (name) =>
    rest.request('POST', `${API}/namespaces/${ns}/challenges`, { body: challengeBody(name, 'user-a') })
  );
  return ns;
}

interface Measure {
  /** Create of user B's Challenge to its admission. */
  ms: number;
  /** How many of the pile had a status written by then. */
  pileDone: number;
}

/** Starts the operator on `ns`, creates user B's first Challenge at once and times its admission. */
async function measure(env: TestEnv, rest: RestClient, ns: string, fairQueue: boolean): Promise<Measure> {
  const { manager, challenges } = await startOperator({
    kubeConfig: env.kubeConfig,
    defaultMetrics: false,
    fairQueue,
    flags: {
      namespace: ns,
      metricsBindAddress: '0',
      healthProbeBindAddress: '0',
      pendingTimeoutMs: 0,
      challengeTtlMs: 0,
      maxPerUser: 1,
    },
  });
  try {
    let admitted!: (at: number) => void;
    const admittedAt = new Promise<number>((r) => (admitted = r));
    const check = (ch: Challenge) => {
      if (ch.metadata.name === 'b-first' && ch.status?.currentStatus?.state === 'Pending') {
        admitted(performance.now());
      }
    };
    challenges.caches.challenges.addHandlers({ onAdd: check, onUpdate: (_o, ch) => check(ch) });
    const t0 = performance.now();
    await rest.request('POST', `${API}/namespaces/${ns}/challenges`, { body: challengeBody('b-first', 'user-b') });
    let timer: NodeJS.Timeout | undefined;
    const at = await Promise.race([
      admittedAt,
      new Promise<number>((_, reject) => {
        timer = setTimeout(() => reject(new Error('user B never admitted')), GIVE_UP_MS);
      }),
    ]);
    clearTimeout(timer);
    let pileDone = 0;
    for (const ch of challenges.caches.challenges.list()) {
      if (ch.metadata.name.startsWith('a-') && ch.status?.currentStatus?.state) {
        pileDone++;
      }
    }
    return { ms: at - t0, pileDone };
  } finally {
    await manager.stop();
  }
}

async function fairnessBench(n: number): Promise<void> {
  await onFreshApiserver(async (env) => {
    const rest = new RestClient(env.kubeConfig);
    try {
      // The fair-queue-off idle run goes first: it also warms up this process (the first reconcile's code paths).
      const idleOff = await measure(env, rest, await prepare(env, rest, 'fair-idle-off', 0), false);
      const idle = await measure(env, rest, await prepare(env, rest, 'fair-idle', 0), true);
      const fairNs = await prepare(env, rest, 'fair-on', n);
      const fair = await measure(env, rest, fairNs, true);
      const fifoNs = await prepare(env, rest, 'fair-off', n);
      const fifo = await measure(env, rest, fifoNs, false);
      const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
      const over = (m: Measure) =>
        `${s(m.ms)} (+${s(m.ms - idle.ms)} over baseline, ${(m.ms / idle.ms).toFixed(1)}x; ${m.pileDone}/${n} of the pile reconciled by then)`;
      row(
        `fairness: user B's first instance admitted, idle operator (baseline)`,
        `${s(idle.ms)} (fair queue off: ${s(idleOff.ms)})`
      );
      row(`fairness: same with user A's ${n} just queued, fair queueing`, over(fair));
      row(`fairness: same with user A's ${n} just queued, fair queueing off`, over(fifo));
      row(`fairness: target <= 5 s over baseline (fair queueing)`, fair.ms - idle.ms <= TARGET_MS ? 'met' : 'NOT met');
    } finally {
      await rest.close();
    }
  });
}

if (import.meta.main && !reexecWithImageFlags()) {
  await fairnessBench(short() ? 1000 : 5000);
}
