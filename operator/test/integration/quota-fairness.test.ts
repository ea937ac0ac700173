// --max-per-user on the real apiserver: no burst of concurrent creates admits more than the cap, and one user's
// long line of waiting Challenges costs O(1) per create or delete (reconciles counted by the controller's own
// metric, status writes by a watch of our own).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHALLENGES } from '../../src/api/resources.ts';
import type { Challenge } from '../../src/api/types.ts';
import { stableJson } from '../../src/controller/status.ts';
import { Informer } from '../../src/kube/informer.ts';
import { kubeListWatch } from '../../src/kube/list-watch.ts';
import { RestClient } from '../../src/kube/rest.ts';
import { waitFor } from '@hexactf/testing/wait';
import { Fixture } from './harness.ts';

/** Every status the apiserver stored for each Challenge of the namespace, as seen through a watch. */
function watchStatuses(f: Fixture) {
  const inf = new Informer<Challenge>(kubeListWatch(new RestClient(f.kc), CHALLENGES, { namespace: f.ns }), {
    name: 'test-challenges',
  });
  const everAdmitted = new Set<string>();
  const statusWrites = new Map<string, number>();
  const seen = (ch: Challenge) => {
    const s = ch.status?.currentStatus?.state;
    if (s === 'Pending' || s === 'Running') {
      everAdmitted.add(ch.metadata.name);
    }
  };
  inf.addHandlers({
    onAdd: seen,
    onUpdate: (old, ch) => {
      seen(ch);
      if (stableJson(old.status ?? {}) !== stableJson(ch.status ?? {})) {
        statusWrites.set(ch.metadata.name, (statusWrites.get(ch.metadata.name) ?? 0) + 1);
      }
    },
  });
  inf.start();
  return { inf, everAdmitted, statusWrites };
}

async function reconciles(f: Fixture): Promise<number> {
  const got = await f.manager!.metrics.reconcileTotal.get();
  return got.values.filter((v) => v.labels.controller === 'challenge').reduce((n, v) => n + v.value, 0);
}

/** Waits until the controller has not reconciled anything for quietMs. */
async function quiet(f: Fixture, quietMs = 1500): Promise<number> {
  let last = await reconciles(f);
  let since = Date.now();
  for (;;) {
    await sleep(100); // the poll interval of the quiet period this waits for
    const now = await reconciles(f);
    if (now !== last) {
      [last, since] = [now, Date.now()];
    } else if (Date.now() - since >= quietMs) {
      return now;
    }
  }
}

test('--max-per-user=1: bursts of 8 concurrent creates for one user never admit two, over many rounds', async (t) => {
  const rounds = Number(process.env.HEXACTF_QUOTA_ROUNDS ?? 25);
  const burst = 8;
  const f = await Fixture.create('qburst', { maxPerUser: 1, maxConcurrentReconciles: 4 });
  const w = watchStatuses(f);
  t.after(async () => {
    w.inf.stop();
    await f.close();
  });
  await w.inf.waitForSync();
  await f.createDefinition('web-basic');
  const gaps = [20, 35, 50, 75, 100, 150, 250];
  for (let r = 0; r < rounds; r++) {
    const names = Array.from({ length: burst }, (_, i) => `r${r}-c${i}`);
    const create = (n: string) => f.createChallenge(n, { user: `burst-${r}`, definition: 'web-basic' });
    if (r % 3 === 0) {
      await Promise.all(names.map(create));
      continue;
    }
    // The race to close: the youngest name is created first and admitted; the others arrive while its admission
    // is on the way (children, then the status write). Within one creation second names decide the order, so they
    // are older and, checked against a cache that does not show the admission yet, would be admitted too. Creates
    // start just after a second boundary; the gap sweeps the admission's duration on this machine.
    while (Date.now() % 1000 > 50) {
      await sleep(5); // to just after a second boundary (see above)
    }
    const first = create(names[burst - 1]);
    await sleep(gaps[r % gaps.length]); // the gap between the first create and the others is what the test sweeps
    await Promise.all([first, ...names.slice(0, -1).map(create)]);
  }
  const all = Array.from({ length: rounds }, (_, r) => Array.from({ length: burst }, (_, i) => `r${r}-c${i}`));
  await waitFor(
    'every Challenge decided',
    async () => all.flat().every((n) => w.inf.get(`${f.ns}/${n}`)?.status?.currentStatus?.state),
    60_000
  );
  await quiet(f);
  const leaks: string[] = [];
  for (const [r, names] of all.entries()) {
    const admitted = names.filter((n) => w.everAdmitted.has(n));
    const states = names.map((n) => w.inf.get(`${f.ns}/${n}`)!.status!.currentStatus!.state);
    if (admitted.length !== 1 || states.filter((s) => s === 'Pending').length !== 1) {
      leaks.push(`round ${r}: admitted ${admitted.join(',')} states ${states.join(',')}`);
    }
  }
  const deployments = await f.apps.listNamespacedDeployment({ namespace: f.ns });
  const perUser = new Map<string, number>();
  for (const d of deployments.items) {
    perUser.set(
      d.metadata!.labels!['apps.hexactf.io/user'],
      (perUser.get(d.metadata!.labels!['apps.hexactf.io/user']) ?? 0) + 1
    );
  }
  console.log(
    `# ${rounds} rounds of ${burst} concurrent creates: ${leaks.length} over the cap; Deployments per user: max ${Math.max(...perUser.values())}`
  );
  assert.deepEqual(leaks, []);
  assert.equal(perUser.size, rounds);
  assert.ok(
    [...perUser.values()].every((n) => n === 1),
    'one instance (one Deployment) per user'
  );
});

test('400 waiting for one user: one more create or delete costs at most 3 reconciles and rewrites at most one other status', async (t) => {
  const waiting = Number(process.env.HEXACTF_QUOTA_WAITING ?? 400);
  const f = await Fixture.create('qfair', { maxPerUser: 1, maxConcurrentReconciles: 4 });
  const w = watchStatuses(f);
  t.after(async () => {
    w.inf.stop();
    await f.close();
  });
  await w.inf.waitForSync();
  await f.createDefinition('web-basic');
  await f.createChallenge('admitted', { user: 'pat', definition: 'web-basic' });
  await f.waitForState('admitted', 'Pending');
  const names = Array.from({ length: waiting }, (_, i) => `w-${String(i).padStart(3, '0')}`);
  // Created in order (one second apart is not needed: equal timestamps fall back to the name).
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(
      names.slice(i, i + 20).map((n) => f.createChallenge(n, { user: 'pat', definition: 'web-basic' }))
    );
  }
  const stateOf = (n: string) => w.inf.get(`${f.ns}/${n}`)?.status?.currentStatus?.state;
  await waitFor(`${waiting} waiting`, async () => names.every((n) => stateOf(n) === 'Error'), 120_000);
  await quiet(f);

  const measure = async (what: string, subject: string, act: () => Promise<unknown>, settled: () => boolean) => {
    const before = await reconciles(f);
    w.statusWrites.clear();
    await act();
    await waitFor(what, async () => settled(), 30_000);
    const after = await quiet(f);
    const others = [...w.statusWrites.keys()].filter((n) => n !== subject);
    console.log(
      `# ${what}: ${after - before} reconciles, other statuses rewritten: ${others.length ? others.join(', ') : 'none'}`
    );
    return { reconciles: after - before, others };
  };

  const create = await measure(
    'create one more',
    'w-new',
    () => f.createChallenge('w-new', { user: 'pat', definition: 'web-basic' }),
    () => stateOf('w-new') === 'Error'
  );
  assert.ok(create.reconciles <= 3, `create: ${create.reconciles} reconciles`);
  assert.deepEqual(create.others, []);
  assert.match(
    w.inf.get(`${f.ns}/w-new`)!.status!.currentStatus!.errorMsg!,
    /^quota exceeded: user pat has the maximum of 1 live instance/
  );

  const middle = await measure(
    'delete one waiting (middle of the line)',
    'w-200',
    () => f.deleteChallenge('w-200'),
    () => !w.inf.get(`${f.ns}/w-200`)
  );
  assert.ok(middle.reconciles <= 3, `delete middle: ${middle.reconciles} reconciles`);
  assert.deepEqual(middle.others, []);

  const head = await measure(
    'delete the first waiting',
    'w-000',
    () => f.deleteChallenge('w-000'),
    () => !w.inf.get(`${f.ns}/w-000`)
  );
  assert.ok(head.reconciles <= 3, `delete head: ${head.reconciles} reconciles`);
  assert.deepEqual(head.others, []);

  // The admitted one leaves: exactly the next in line is admitted, nobody else's status changes.
  const freed = await measure(
    'delete the admitted one',
    'admitted',
    () => f.deleteChallenge('admitted'),
    () => !w.inf.get(`${f.ns}/admitted`) && stateOf('w-001') === 'Pending'
  );
  assert.deepEqual(freed.others, ['w-001']);
  assert.ok(
    freed.reconciles <= 10,
    `admitted one deleted: ${freed.reconciles} reconciles (its own, the next one's admission and its children's events)`
  );
  assert.equal(names.filter((n) => stateOf(n) === 'Pending').length, 1);
});
