// Error paths: missing and late definitions, image pull / crash loop, pending timeout, children the apiserver
// refuses, --delete-on-error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fixture, definitionSpec, seriesKey, waitFor } from './harness.ts';

test('a missing definition is an Error that heals itself when the definition appears', async (t) => {
  const f = await Fixture.create('late');
  t.after(() => f.close());
  await f.createChallenge('c-late', { user: 'carol', definition: 'not-yet' });
  const err = await f.waitForState('c-late', 'Error');
  assert.equal(err.status!.currentStatus!.errorMsg, 'definition not-yet not found');
  assert.equal(err.status!.conditions!.find((c) => c.type === 'DefinitionResolved')!.status, 'False');
  assert.equal((await f.statusSeries()).get(seriesKey({ name: 'c-late', user: 'carol', ns: f.ns })), '3');
  assert.deepEqual(await f.allChildren(), [], 'no children without a definition');

  await f.createDefinition('not-yet');
  const pending = await f.waitForState('c-late', 'Pending');
  assert.equal(pending.status!.currentStatus!.errorMsg, '');
  await f.markAllAvailable('c-late', 1);
  await f.waitForState('c-late', 'Running');
});

for (const reason of ['ImagePullBackOff', 'CrashLoopBackOff']) {
  test(`pods waiting in ${reason} put the Challenge in Error, and it is kept`, async (t) => {
    const f = await Fixture.create(reason.toLowerCase().slice(0, 10));
    t.after(() => f.close());
    await f.createDefinition('web-basic');
    await f.createChallenge('c-dave', { user: 'dave', definition: 'web-basic' });
    const [d] = await f.waitForDeployments('c-dave', 1);
    await f.createWaitingPod(d.metadata!.name!, reason, 'back-off pulling image');
    const err = await f.waitForState('c-dave', 'Error');
    assert.match(err.status!.currentStatus!.errorMsg!, new RegExp(`container web: ${reason}: back-off pulling image`));
    assert.equal(err.status!.conditions!.find((c) => c.type === 'Ready')!.reason, reason);
    // Kept for organizers: still there, still Error, a while later, and a late recovery does not flip it.
    await f.settledAfter(() => f.markAvailable(d.metadata!.name!));
    const kept = await f.getChallenge('c-dave');
    assert.equal(kept?.status?.currentStatus?.state, 'Error');
    assert.equal((await f.statusSeries()).get(seriesKey({ name: 'c-dave', user: 'dave', ns: f.ns })), '3');
  });
}

test('an instance unavailable past --pending-timeout goes to Error with the reason', async (t) => {
  const f = await Fixture.create('timeout', { pendingTimeoutMs: 1500 });
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  await f.createChallenge('c-erin', { user: 'erin', definition: 'web-basic' });
  await f.waitForState('c-erin', 'Pending');
  const err = await f.waitForState('c-erin', 'Error', 10_000);
  assert.match(err.status!.currentStatus!.errorMsg!, /^not available after 2s: deployment ch-1-erin-web-/);
  assert.equal(err.status!.conditions!.find((c) => c.type === 'Ready')!.reason, 'PendingTimeout');
});

test('children the apiserver refuses put the Challenge in Error with the apiserver message', async (t) => {
  const f = await Fixture.create('refused');
  t.after(() => f.close());
  // Valid for the CRD (containers are open), invalid for a Deployment.
  await f.createDefinition('bad', definitionSpec({ containerExtra: { imagePullPolicy: 'Sometimes' } }));
  await f.createChallenge('c-frank', { user: 'frank', definition: 'bad' });
  const err = await f.waitForState('c-frank', 'Error');
  assert.match(
    err.status!.currentStatus!.errorMsg!,
    /^creating Deployment ch-1-frank-web-[0-9a-f]+: .*imagePullPolicy/
  );
  assert.equal(err.status!.conditions!.find((c) => c.type === 'Ready')!.reason, 'ChildCreateFailed');
});

test('--delete-on-error deletes instances that fail', async (t) => {
  const f = await Fixture.create('delerr', { deleteOnError: true });
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  await f.createChallenge('c-gina', { user: 'gina', definition: 'web-basic' });
  const [d] = await f.waitForDeployments('c-gina', 1);
  await f.createWaitingPod(d.metadata!.name!, 'ErrImagePull');
  // The garbage collector's part: the pod goes once its Deployment has (the operator waits for it).
  await waitFor('c-gina gone', async () => {
    await f.collectGarbage();
    return (await f.getChallenge('c-gina')) === undefined;
  });
  assert.deepEqual(await f.allChildren(), []);
  assert.equal((await f.statusSeries()).get(seriesKey({ name: 'c-gina', user: 'gina', ns: f.ns })), '2');
});
