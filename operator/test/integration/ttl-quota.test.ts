// --challenge-ttl (isOne exempt) and --max-per-user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@hexactf/testing/wait';
import { Fixture, definitionSpec } from './harness.ts';

test('a Running instance is deleted after --challenge-ttl unless its definition isOne', async (t) => {
  const f = await Fixture.create('ttl', { challengeTtlMs: 1500 });
  t.after(() => f.close());
  await f.createDefinition('short');
  await f.createDefinition('forever', definitionSpec({ isOne: true }));
  await f.createChallenge('c-short', { user: 'hana', definition: 'short' });
  await f.createChallenge('c-forever', { user: 'ivan', definition: 'forever' });
  await f.markAllAvailable('c-short', 1);
  await f.markAllAvailable('c-forever', 1);
  const running = await f.waitForState('c-short', 'Running');
  const started = Date.parse(running.status!.startedAt!);
  await f.waitForState('c-forever', 'Running');
  await f.waitForGone('c-short', 10_000);
  assert.ok(Date.now() - started >= 1500 - 1000, 'not before the TTL'); // startedAt has second precision
  const left = await f.allChildren();
  assert.equal(left.length, 2, 'Deployment + Service of the isOne instance');
  assert.ok(left.every((o) => o.metadata!.labels!['apps.hexactf.io/user'] === 'ivan'));
  const forever = await f.getChallenge('c-forever');
  assert.equal(forever?.status?.currentStatus?.state, 'Running');
  assert.equal(forever?.status?.isOne, true);
});

test('--max-per-user: the next live instance of a user is refused with no children, and admitted once a slot frees', async (t) => {
  const f = await Fixture.create('quota', { maxPerUser: 1 });
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  await f.createChallenge('c1-judy', { user: 'judy', challengeId: '1', definition: 'web-basic' });
  await f.waitForState('c1-judy', 'Pending');
  await f.createChallenge('c2-judy', { user: 'judy', challengeId: '2', definition: 'web-basic' });
  await f.createChallenge('c1-kim', { user: 'kim', challengeId: '1', definition: 'web-basic' });
  const refused = await f.waitForState('c2-judy', 'Error');
  assert.match(
    refused.status!.currentStatus!.errorMsg!,
    /^quota exceeded: user judy has the maximum of 1 live instance\(s\); waiting for one to end$/
  );
  assert.equal((await f.deploymentsOf(refused)).length, 0);
  assert.equal((await f.servicesOf(refused)).length, 0);
  await f.waitForState('c1-kim', 'Pending');

  await f.deleteChallenge('c1-judy');
  await f.waitForGone('c1-judy');
  await f.waitForState('c2-judy', 'Pending');
  await f.waitForDeployments('c2-judy', 1);
});

test('quota order is deterministic: creationTimestamp, then name', async (t) => {
  const f = await Fixture.create('qorder', { maxPerUser: 2 }, false);
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  // Created before the operator starts, within the same second: the names decide.
  for (const n of ['c-z', 'c-b', 'c-a']) {
    await f.createChallenge(n, { user: 'lee', definition: 'web-basic' });
  }
  await f.startManager();
  const states = await waitFor('all decided', async () => {
    const s = await Promise.all(
      ['c-a', 'c-b', 'c-z'].map(async (n) => (await f.getChallenge(n))?.status?.currentStatus?.state)
    );
    return s.every(Boolean) ? s : undefined;
  });
  const created = await Promise.all(
    ['c-a', 'c-b', 'c-z'].map(async (n) => Date.parse((await f.getChallenge(n))!.metadata.creationTimestamp as string))
  );
  if (new Set(created).size === 1) {
    assert.deepEqual(states, ['Pending', 'Pending', 'Error']);
  } else {
    assert.equal(states.filter((s) => s === 'Error').length, 1);
  }
});

test('TTL follows the injected clock: 30 minutes later (by the clock) the instance is deleted', async (t) => {
  const f = await Fixture.create('ttlclock', { challengeTtlMs: 30 * 60_000 });
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  await f.createChallenge('c-vera', { user: 'vera', definition: 'web-basic' });
  await f.markAllAvailable('c-vera', 1);
  await f.waitForState('c-vera', 'Running');
  f.clock.offsetMs = 29 * 60_000;
  await f.settledAfter(() => f.challengeController!.enqueueAll());
  assert.equal((await f.getChallenge('c-vera'))?.status?.currentStatus?.state, 'Running', 'not yet');
  f.clock.offsetMs = 31 * 60_000;
  f.challengeController!.enqueueAll();
  await f.waitForGone('c-vera');
  assert.deepEqual(await f.allChildren(), []);
});

test('--quota-wait-timeout: a Challenge still waiting that long after its creation is deleted; the admitted one stays', async (t) => {
  const f = await Fixture.create('qwait', { maxPerUser: 1, quotaWaitTimeoutMs: 10 * 60_000 });
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  await f.createChallenge('c1-uma', { user: 'uma', challengeId: '1', definition: 'web-basic' });
  await f.markAllAvailable('c1-uma', 1);
  await f.waitForState('c1-uma', 'Running'); // Running: moving the clock does not time it out (no TTL here)
  await f.createChallenge('c2-uma', { user: 'uma', challengeId: '2', definition: 'web-basic' });
  await f.waitForState('c2-uma', 'Error');
  f.clock.offsetMs = 9 * 60_000;
  await f.settledAfter(() => f.challengeController!.enqueueAll());
  assert.equal(
    (await f.getChallenge('c2-uma'))?.status?.currentStatus?.state,
    'Error',
    'still waiting before the deadline'
  );
  f.clock.offsetMs = 11 * 60_000;
  f.challengeController!.enqueueAll();
  await f.waitForGone('c2-uma');
  assert.equal((await f.getChallenge('c1-uma'))?.status?.currentStatus?.state, 'Running');
});
