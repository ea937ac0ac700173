// Issue "the metrics endpoint can knock the operator over", on the real apiserver (RBAC and API Priority and
// Fairness on): two replicas of the operator, as the chart's ServiceAccount with its RBAC, --metrics-secure, leader
// election with the chart's 15s/10s/2s, and a client-side limit set (--kube-api-qps=20 --kube-api-burst=30: the
// old shared bucket, where 1,500 reviews queued for 75 s). 1,500 requests with distinct bogus bearer tokens in
// 1.5 s at the leader's /metrics: every Lease renewal stays on time (no gap above the retry period + slack), the
// Lease never changes hands, at no sample do both replicas lead or export Challenge series, and the flood is
// answered 401/503 only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STATUS_METRIC } from '@hexactf/contract';
import { waitFor } from '@hexactf/testing/wait';
import { OperatorProcess } from './support.ts';
import { privateControlPlaneForFile, installWithChallenges } from './two-replicas.ts';
import {
  LEASE_NAME,
  floodBogusTokens,
  httpsGet,
  replicaArgs,
  sample,
  sleep,
} from './request-path.ts';

const RETRY_MS = 2000;
const LEASE_MS = 15_000;
/** A renewal is a GET and a PUT after the retry period; this is what they may take on the loaded 2-core machine. */
const SLACK_MS = 1000;
const FLOOD = { requests: 1500, ms: 1500 };

const plane = privateControlPlaneForFile();
const replicas = plane.replicas;

test('1,500 bogus tokens in 1.5 s at /metrics: renewals on time, never two leaders, answers 401/503', async () => {
  const env = plane.env();
  const { installed, leases } = await installWithChallenges(env, 5);
  const args = [...replicaArgs(installed), '--metrics-secure', '--kube-api-qps=20', '--kube-api-burst=30'];
  const a = await OperatorProcess.start(installed.kubeconfigPath, args);
  replicas.push(a);
  const scrape = async (r: OperatorProcess) => {
    const got = await httpsGet(r.metricsUrl, env.adminToken);
    if (got.status !== 200) {
      return undefined;
    }
    return {
      leading: sample(got.body, `leader_election_master_status{name="${LEASE_NAME}"}`) === 1,
      series: got.body.split('\n').filter((l) => l.startsWith(`${STATUS_METRIC}{`)).length,
    };
  };
  await waitFor(
    'a leads and exports the 5 Challenges',
    async () => {
      const s = await scrape(a);
      return s?.leading && s.series === 5;
    },
    30_000
  ).catch(async (err) => {
    const got = await httpsGet(a.metricsUrl, env.adminToken);
    throw new Error(`${err.message}: ${got.status} ${got.body.slice(0, 300)}\n${a.log.slice(-2000)}`);
  });
  const b = await OperatorProcess.start(installed.kubeconfigPath, args);
  replicas.push(b);
  await waitFor('b answers scrapes', async () => (await scrape(b)) !== undefined, 30_000);

  // Each replica's leading flag and its Challenge series, sampled as often as the scrapes come back.
  const overlaps: string[] = [];
  const counts = { samples: 0, bLed: 0 };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const [sa, sb] = await Promise.all([scrape(a), scrape(b)]);
      counts.samples++;
      const aActs = sa && (sa.leading || sa.series > 0);
      const bActs = sb && (sb.leading || sb.series > 0);
      if (bActs) {
        counts.bLed++;
      }
      if (aActs && bActs) {
        overlaps.push(`${new Date().toISOString()}: a ${JSON.stringify(sa)}, b ${JSON.stringify(sb)}`);
      }
      await sleep(100);
    }
  })();

  await sleep(2 * RETRY_MS); // renewals before the flood: the baseline of the record
  const floodFrom = Date.now();
  const flood = await floodBogusTokens(a.metricsUrl, FLOOD.requests, FLOOD.ms);
  // The flood's effect would show within a lease duration: a stalled leader would have lost the Lease by then.
  await sleep(LEASE_MS + RETRY_MS);
  sampling = false;
  await sampler;
  leases.stop();

  const late = leases.lateness(RETRY_MS, floodFrom);
  const worst = Math.max(...late);
  const statuses = Object.fromEntries(flood.statuses);
  process.stderr.write(
    `# flood: ${FLOOD.requests} requests sent in ${flood.sentMs.toFixed(0)} ms, answered within ${flood.answeredMs.toFixed(0)} ms: ${JSON.stringify(statuses)}\n` +
      `# renewals from the flood on: ${late.length}, lateness beyond the ${RETRY_MS} ms retry period: max ${worst} ms (${late.join(', ')})\n` +
      `# ${counts.samples} samples of both replicas, b acting in ${counts.bLed}, both in ${overlaps.length}\n`
  );
  assert.equal(
    flood.statuses.size > 0 && [...flood.statuses.keys()].every((s) => s === 401 || s === 503),
    true,
    JSON.stringify(statuses)
  );
  assert.equal(
    [...flood.statuses.values()].reduce((x, y) => x + y, 0),
    FLOOD.requests
  );
  // Answered as they come (a full budget answers 503 at once), not queued behind a bucket.
  assert.ok(flood.answeredMs <= FLOOD.ms + 5000, `the flood was answered only after ${flood.answeredMs.toFixed(0)} ms`);
  assert.deepEqual(leases.holders().length, 1, `the Lease changed hands: ${JSON.stringify(leases.renewals)}`);
  assert.ok(late.length >= (LEASE_MS + RETRY_MS) / (RETRY_MS + SLACK_MS) - 1, `only ${late.length} renewals`);
  assert.ok(worst <= SLACK_MS, `a renewal came ${worst} ms after its retry period`);
  assert.deepEqual(overlaps, []);
  assert.equal(counts.bLed, 0, 'the standby acted');
  assert.ok(counts.samples >= 10, `${counts.samples} samples`);
});
