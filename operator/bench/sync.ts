// Initial sync and relist of many Challenges against a real kube-apiserver + etcd (private, on loopback): once
// with every Challenge of a different user, once with all of them of one user (--max-per-user 3 and a definition
// that exists, so every reconcile works out where its Challenge stands in that user's line of 20,000). Measured: the longest event-loop block (perf_hooks.monitorEventLoopDelay),
// the time until /readyz answers 200, and how long /healthz takes to answer while the (re)list runs.
// Baseline in the same run: the same pages fetched by the operator's own HTTP client, nothing cached. Runs under
// the image's V8 flags (report.ts). On a shared machine a block can be the process waiting for a CPU: the CPU
// time used inside the longest gaps says how much of a block was work.
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestEnv, type TestEnv } from '../test/support/test-env.ts';
import { newOperator } from '../src/operator.ts';
import { kubeListWatch } from '../src/kube/list-watch.ts';
import { RestClient } from '../src/kube/rest.ts';
import { API_VERSION, LABEL_CHALLENGE_ID, LABEL_USER } from '../src/api/types.ts';
import { percentile, reexecWithImageFlags, row, short } from './report.ts';
import { definitionSpec } from '../test/integration/harness.ts';
import { pool } from '../test/stress/support.ts';

const CHALLENGES = { group: 'apps.hexactf.io', version: 'v1alpha1', kind: 'Challenge', plural: 'challenges' };

/**
 * `definition`: for 20,000 users none exists, so each reconcile is a quick Error and the work measured is the
 * cache's. For one user it exists, so every reconcile asks where its Challenge stands in the user's line (the
 * quota) and three of them get children.
 */
async function createChallenges(
  rest: RestClient,
  ns: string,
  n: number,
  userOf: (i: number) => string,
  definition?: string
): Promise<void> {
  await rest.request('POST', '/api/v1/namespaces', {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
  });
  if (definition) {
    await rest.request('POST', `/apis/apps.hexactf.io/v1alpha1/namespaces/${ns}/challengedefinitions`, {
      body: {
        apiVersion: API_VERSION,
        kind: 'ChallengeDefinition',
        metadata: { name: definition },
        spec: definitionSpec(),
      },
    });
  }
  await pool(
    Array.from({ length: n }, (_, i) => i),
    48,
    (i) =>
      rest.request('POST', `/apis/apps.hexactf.io/v1alpha1/namespaces/${ns}/challenges`, {
        body: {
          apiVersion: API_VERSION,
          kind: 'Challenge',
          metadata: { name: `c-${i}`, labels: { [LABEL_CHALLENGE_ID]: String(1 + (i % 40)), [LABEL_USER]: userOf(i) } },
          spec: { definition: definition ?? 'absent' },
        },
      })
  );
}

interface Blocks {
  /** The longest event-loop block (monitorEventLoopDelay): the target's figure. */
  maxBlockMs: number;
  /** The CPU time this process used during the longest gap of a 5 ms timer, and the most it used in any gap. */
  cpuInLongestMs: number;
  maxCpuInGapMs: number;
}

/**
 * Runs fn while sampling the event loop. Beside monitorEventLoopDelay, a 5 ms timer notes each gap and the CPU time
 * the process used in it (every thread, so an upper bound for the main thread's work): on a loaded machine a gap
 * with little CPU in it is the process waiting for a CPU, not work of its own.
 */
async function blocking<T>(fn: () => Promise<T>): Promise<{ value: T } & Blocks> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let longest = { ms: 0, cpuMs: 0 };
  let maxCpuInGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const used = process.cpuUsage(lastCpu);
    const cpuMs = (used.user + used.system) / 1000;
    if (now - last > longest.ms) {
      longest = { ms: now - last, cpuMs };
    }
    maxCpuInGapMs = Math.max(maxCpuInGapMs, cpuMs);
    last = now;
    lastCpu = process.cpuUsage();
  }, 5);
  const value = await fn();
  clearInterval(timer);
  h.disable();
  return { value, maxBlockMs: h.max / 1e6, cpuInLongestMs: longest.cpuMs, maxCpuInGapMs };
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
const verdict = (b: Blocks) =>
  `${ms(b.maxBlockMs)} (${b.maxBlockMs <= 50 ? 'met' : 'NOT met'}; CPU in the longest gap ${ms(b.cpuInLongestMs)}, most CPU in one gap ${ms(b.maxCpuInGapMs)})`;

/** Polls url every 50 ms until stop() resolves it; the answer latencies, and when it first answered 200. */
function poller(url: string) {
  const latencies: number[] = [];
  const t0 = performance.now();
  let firstOkMs: number | undefined;
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      const ok = await fetch(url).then(
        (r) => r.ok,
        () => false
      );
      latencies.push(performance.now() - t);
      if (ok && firstOkMs === undefined) {
        firstOkMs = performance.now() - t0;
      }
      await sleep(50);
    }
  })();
  return {
    firstOk: () => firstOkMs,
    stop: async () => {
      running = false;
      await done;
      return latencies.sort((a, b) => a - b);
    },
  };
}

async function scenario(env: TestEnv, label: string, ns: string, n: number): Promise<void> {
  const rest = new RestClient(env.kubeConfig);
  const plain = await blocking(async () => {
    const t = performance.now();
    const { items } = await kubeListWatch(rest, CHALLENGES, { namespace: ns }).list();
    return { ms: performance.now() - t, count: items.length };
  });
  await rest.close();

  const { manager, challenges } = newOperator({
    kubeConfig: env.kubeConfig,
    defaultMetrics: false,
    cacheSyncTimeoutMs: 0,
    flags: {
      namespace: ns,
      metricsBindAddress: '0',
      healthProbeBindAddress: '127.0.0.1:0',
      maxPerUser: 3,
      challengeTtlMs: 0,
    },
  });
  const started = manager.start();
  while (!manager.healthUrl) {
    await sleep(1);
  }
  const ready = poller(`${manager.healthUrl}/readyz`);
  const sync = await blocking(async () => {
    await started;
    while (ready.firstOk() === undefined) {
      await sleep(10);
    }
  });
  const readyLatency = await ready.stop();

  // Relist: the informer lists again over a full cache (what a 410 or a watch failure leads to).
  const inf = challenges.caches.challenges;
  const watchesBefore = inf.stats.watches;
  const healthz = poller(`${manager.healthUrl}/healthz`);
  const relist = await blocking(async () => {
    const t = performance.now();
    inf.stop();
    inf.start();
    while (inf.stats.watches === watchesBefore) {
      await sleep(5);
    }
    return performance.now() - t;
  });
  const healthLatency = await healthz.stop();
  await manager.stop();

  row(
    `sync ${label}: plain paged list of ${plain.value.count} (baseline)`,
    `${ms(plain.value.ms)}, longest event-loop block ${ms(plain.maxBlockMs)} (CPU in the longest gap ${ms(plain.cpuInLongestMs)}, most CPU in one gap ${ms(plain.maxCpuInGapMs)})`
  );
  row(
    `sync ${label}: operator start to /readyz 200 (target <= 10 s)`,
    `${ms(ready.firstOk() ?? NaN)} (${((ready.firstOk() ?? NaN) / plain.value.ms).toFixed(1)}x baseline)`
  );
  row(
    `sync ${label}: longest block, initial sync (target <= 50 ms)`,
    `${verdict(sync)}; /readyz answered in p99 ${ms(percentile(readyLatency, 99))}`
  );
  row(
    `sync ${label}: relist over a full cache, longest block (<= 50 ms)`,
    `${verdict(relist)} in ${ms(relist.value)}; /healthz p99 ${ms(percentile(healthLatency, 99))}, max ${ms(percentile(healthLatency, 100))}`
  );
  row(
    `sync ${label}: load average during the scenario`,
    loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')
  );
}

async function syncBench(n: number): Promise<void> {
  const env = await startTestEnv({ authorizationMode: 'AlwaysAllow' });
  try {
    await env.installCrds();
    const rest = new RestClient(env.kubeConfig);
    const t = performance.now();
    await createChallenges(rest, 'sync-many', n, (i) => `user-${i}`);
    await createChallenges(rest, 'sync-one', n, () => 'the-one', 'web');
    await rest.close();
    process.stdout.write(`(created ${2 * n} Challenges in ${((performance.now() - t) / 1000).toFixed(0)} s)\n`);
    await scenario(env, `${n} users`, 'sync-many', n);
    await scenario(env, '1 user', 'sync-one', n);
  } finally {
    await env.stop();
  }
}

if (import.meta.main && !reexecWithImageFlags()) {
  await syncBench(short() ? 2000 : 20_000);
}
