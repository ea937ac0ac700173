// Deleted series survive the operator: with --series-state-configmap, a Challenge deleted shortly before a SIGKILL,
// or while no operator runs, is exported as Deleted by the next operator, from its first scrape with Challenge series,
// until the retention has passed. The operator is the CLI as a child process (so it can be SIGKILLed like a pod)
// against the real apiserver; the state is in a real ConfigMap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATE_CODES, STATUS_METRIC } from '@hexactf/contract';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import { connectTestEnv } from '../support/test-env.ts';
import { Kube, OperatorProcess, parseSeries } from '../stress/support.ts';
import { DATA_KEY, decodeSnapshot } from '../../src/metrics/series-state.ts';

const RETENTION_S = 15;
const CONFIGMAP = 'challenge-operator-series';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function setup(prefix: string) {
  const env = connectTestEnv();
  const kube = await Kube.create(env.kubeConfig, prefix);
  await kube.createDefinition('web');
  const start = () =>
    OperatorProcess.start(env.kubeconfigPath, [
      '--namespace',
      kube.ns,
      `--leader-election-namespace=${kube.ns}`,
      `--series-state-configmap=${CONFIGMAP}`,
      `--deleted-series-retention=${RETENTION_S}s`,
      '--pending-timeout=0',
    ]);
  return { kube, start };
}

const seriesKey = (ns: string, name: string, user: string) =>
  `{challenge_id="1",challenge_name="${name}",username="${user}",namespace="${ns}"}`;

/** What the operator has written to its ConfigMap so far. */
async function stored(kube: Kube) {
  try {
    const cm = await kube.core.readNamespacedConfigMap({ name: CONFIGMAP, namespace: kube.ns });
    return decodeSnapshot(Buffer.from(cm.binaryData![DATA_KEY], 'base64')).snapshot;
  } catch (err) {
    if ((err as { code?: number }).code === 404) {
      return undefined;
    }
    throw err;
  }
}

/** Scrapes until the Challenge series are there (the operator leads), and returns that first such scrape. */
async function firstChallengeScrape(op: OperatorProcess): Promise<Map<string, string>> {
  return waitFor(
    'challenge series',
    async () => {
      const series = parseSeries(await op.scrape(), STATUS_METRIC);
      return series.size ? series : undefined;
    },
    20_000
  );
}

test('SIGKILL within the retention: the restarted operator still exports the Deleted series, then drops it on time', async (t) => {
  const { kube, start } = await setup('tomb-kill');
  let op = await start();
  t.after(() => op.kill());
  await kube.createChallenge('c-stay', { user: 'ann', definition: 'web' });
  await kube.createChallenge('c-gone', { user: 'bob', definition: 'web' });
  await waitFor(
    'both Pending',
    async () => (await kube.state('c-stay')) === 'Pending' && (await kube.state('c-gone')) === 'Pending'
  );

  await kube.deleteChallenge('c-gone');
  await waitFor('c-gone finalized', async () => (await kube.getChallenge('c-gone')) === undefined);
  const deletedAt = Date.now();
  const gone = seriesKey(kube.ns, 'c-gone', 'bob');
  assert.equal(parseSeries(await op.scrape(), STATUS_METRIC).get(gone), String(STATE_CODES.Deleted));
  await waitFor(
    'tombstone stored',
    async () => (await stored(kube))?.tombstones.some((x) => x.name === 'c-gone'),
    10_000
  );

  await op.kill('SIGKILL');
  op = await start();
  const first = await firstChallengeScrape(op);
  assert.ok(Date.now() - deletedAt < RETENTION_S * 1000, 'restarted within the retention');
  assert.equal(
    first.get(gone),
    String(STATE_CODES.Deleted),
    'the first scrape with challenge series has the tombstone'
  );
  assert.equal(first.get(seriesKey(kube.ns, 'c-stay', 'ann')), String(STATE_CODES.Pending));

  // Kept for what is left of the retention (counted from the deletion, not from the restart), then dropped.
  await waitFor(
    'tombstone dropped',
    async () => !parseSeries(await op.scrape(), STATUS_METRIC).has(gone),
    (RETENTION_S + 5) * 1000
  );
  const droppedAfterS = (Date.now() - deletedAt) / 1000;
  assert.ok(
    droppedAfterS >= RETENTION_S - 1 && droppedAfterS < RETENTION_S + 5,
    `dropped ${droppedAfterS.toFixed(1)} s after the deletion`
  );
});

test('deleted while no operator runs: exported as Deleted once it is back, then dropped after the retention', async (t) => {
  const { kube, start } = await setup('tomb-down');
  let op = await start();
  t.after(() => op.kill());
  for (const [name, user] of [
    ['c-live', 'cat'],
    ['c-forced', 'dan'],
    ['c-normal', 'eve'],
  ]) {
    await kube.createChallenge(name, { user, definition: 'web' });
  }
  await waitFor('all Pending', async () =>
    (await kube.challenges()).every((c) => c.status?.currentStatus?.state === 'Pending')
  );
  await waitFor('live set stored', async () => (await stored(kube))?.live?.length === 3, 10_000);
  await op.kill('SIGKILL');

  // While no operator runs: one deletion completes because its finalizer is removed by hand, one waits for it.
  await kube.deleteChallenge('c-forced');
  await kube.custom.patchNamespacedCustomObject(
    {
      group: 'apps.hexactf.io',
      version: 'v1alpha1',
      namespace: kube.ns,
      plural: 'challenges',
      name: 'c-forced',
      body: { metadata: { finalizers: null } },
    },
    merge
  );
  await waitFor('c-forced gone', async () => (await kube.getChallenge('c-forced')) === undefined);
  await kube.deleteChallenge('c-normal');

  const backAt = Date.now();
  op = await start();
  const first = await firstChallengeScrape(op);
  const forced = seriesKey(kube.ns, 'c-forced', 'dan');
  const normal = seriesKey(kube.ns, 'c-normal', 'eve');
  assert.equal(first.get(forced), String(STATE_CODES.Deleted), 'vanished while down: Deleted from the first scrape');
  assert.equal(first.get(normal), String(STATE_CODES.Deleted), 'deleting (finalizer pending): Deleted');
  assert.equal(first.get(seriesKey(kube.ns, 'c-live', 'cat')), String(STATE_CODES.Pending));
  await waitFor('c-normal finalized', async () => (await kube.getChallenge('c-normal')) === undefined);

  await waitFor(
    'both dropped',
    async () => {
      const s = parseSeries(await op.scrape(), STATUS_METRIC);
      return !s.has(forced) && !s.has(normal);
    },
    (RETENTION_S + 10) * 1000
  );
  const droppedAfterS = (Date.now() - backAt) / 1000;
  assert.ok(droppedAfterS >= RETENTION_S - 1, `dropped ${droppedAfterS.toFixed(1)} s after the restart`);
  // The stored state follows: no tombstone left once the retention has passed, the live set is what is left.
  await waitFor(
    'state pruned',
    async () => {
      const s = await stored(kube);
      return s && s.tombstones.length === 0 && s.live?.map((x) => x.name).join() === 'c-live';
    },
    15_000
  );
});
