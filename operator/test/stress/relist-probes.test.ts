// [heavy] Probes keep answering while the operator lists and relists 20,000 Challenges on the real apiserver
// (a private control plane: this many objects would slow every other test file on the shared one). The lists come
// in pages and the cache takes them in slices, so /healthz and /readyz are served between slices: every poll is
// answered well within a kubelet probe's default 1 s timeout, and /readyz turns 200 once the caches are synced.
// Set HEXACTF_SKIP_HEAVY=1 to leave it out of a local run; CI runs it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@hexactf/testing/wait';
import type { TestEnv } from '../support/test-env.ts';
import { API_VERSION, LABEL_CHALLENGE_ID, LABEL_USER } from '../../src/api/types.ts';
import { RestClient } from '../../src/kube/rest.ts';
import { newOperator } from '../../src/operator.ts';
import { defaultFlags } from '../integration/harness.ts';
import { pool, privateEnv } from './support.ts';

const N = Number(process.env.HEXACTF_RELIST_N ?? 20_000);
const PROBE_TIMEOUT_MS = 1000; // the kubelet's default timeoutSeconds
const skip = process.env.HEXACTF_SKIP_HEAVY === '1' ? 'HEXACTF_SKIP_HEAVY=1' : false;
const NS = 'relist';

let env: TestEnv | undefined;
before(async () => {
  if (skip) {
    return;
  }
  env = await privateEnv({ authorizationMode: 'AlwaysAllow' });
  const rest = new RestClient(env.kubeConfig);
  await rest.request('POST', '/api/v1/namespaces', {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  });
  const indexes = Array.from({ length: N }, (_, i) => i);
  await pool(indexes, 48, (i) =>
    rest.request('POST', `/apis/apps.hexactf.io/v1alpha1/namespaces/${NS}/challenges`, {
      body: {
        apiVersion: API_VERSION,
        kind: 'Challenge',
        // Half of them one user's pile (the quota's worst case), half one each.
        metadata: {
          name: `c-${i}`,
          labels: { [LABEL_CHALLENGE_ID]: String(1 + (i % 40)), [LABEL_USER]: i % 2 ? 'the-one' : `user-${i}` },
        },
        spec: { definition: 'absent' },
      },
    })
  );
  await rest.close();
});
after(async () => {
  await env?.stop();
});

/** Polls url every 25 ms until stopped; each answer's status and latency (a poll that gets no answer counts as its timeout). */
function prober(url: string) {
  const polls: Array<{ status: number; ms: number }> = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      const status = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(
        (r) => r.status,
        () => 0
      );
      polls.push({ status, ms: performance.now() - t });
      await sleep(25); // the probe interval
    }
  })();
  return { polls, stop: async () => ((running = false), await done, polls) };
}

test(
  `[heavy] /healthz and /readyz answer within ${PROBE_TIMEOUT_MS} ms while ${N} Challenges are listed and relisted`,
  { skip, timeout: 600_000 },
  async () => {
    const { manager, challenges } = newOperator({
      kubeConfig: env!.kubeConfig,
      defaultMetrics: false,
      cacheSyncTimeoutMs: 0,
      flags: { ...defaultFlags(NS), metricsBindAddress: '0', maxPerUser: 3 },
    });
    try {
      const started = manager.start();
      await waitFor('the health server', async () => manager.healthUrl !== undefined, 30_000, 1);
      const ready = prober(`${manager.healthUrl}/readyz`);
      await started;
      await waitFor('a ready probe', async () => ready.polls.some((p) => p.status === 200), 60_000, 10);
      const initial = await ready.stop();
      assert.equal(challenges.caches.challenges.size(), N);

      // A relist over the full cache, as after a 410 or a broken watch.
      const inf = challenges.caches.challenges;
      const watches = inf.stats.watches;
      const health = prober(`${manager.healthUrl}/healthz`);
      inf.stop();
      inf.start();
      await waitFor('the relist done and a new watch started', async () => inf.stats.watches !== watches, 60_000, 5);
      const relist = await health.stop();

      const worst = (polls: Array<{ status: number; ms: number }>) => Math.max(...polls.map((p) => p.ms));
      process.stderr.write(
        `# initial sync: ${initial.length} /readyz polls, slowest ${worst(initial).toFixed(0)} ms; relist: ${relist.length} /healthz polls, slowest ${worst(relist).toFixed(0)} ms\n`
      );
      assert.ok(
        initial.every((p) => p.status === 503 || p.status === 200),
        `every /readyz poll answered: ${JSON.stringify(initial.filter((p) => p.status !== 503 && p.status !== 200))}`
      );
      assert.ok(initial.length >= 3, 'the sync took several polls');
      assert.ok(relist.length >= 3, 'the relist took several polls');
      assert.ok(
        relist.every((p) => p.status === 200),
        `every /healthz poll answered 200 during the relist: ${JSON.stringify(relist.filter((p) => p.status !== 200))}`
      );
    } finally {
      await manager.stop();
    }
  }
);
