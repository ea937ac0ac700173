// Kubernetes Events on the real apiserver: what `kubectl describe challenge` lists for a Challenge that goes
// Pending → Running and for one that goes to Error, that a burst of occurrences becomes one Event with a series
// instead of thousands of objects, and that --record-events=false records none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventsV1Api, type EventsV1Event } from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import { Fixture, definitionSpec } from './harness.ts';
import { REPORTING_CONTROLLER, regardingOf } from '../../src/controller/challenge-events.ts';
import type { Challenge } from '../../src/api/types.ts';

/** The Events regarding one Challenge, oldest first: what kubectl describe shows under "Events:". */
async function eventsOf(f: Fixture, ch: Challenge): Promise<EventsV1Event[]> {
  const list = await f.kc.makeApiClient(EventsV1Api).listNamespacedEvent({
    namespace: f.ns, fieldSelector: `regarding.uid=${ch.metadata.uid}`,
  });
  return list.items.sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));
}

async function waitForReasons(f: Fixture, ch: Challenge, reasons: string[]): Promise<EventsV1Event[]> {
  return waitFor(`Events ${reasons.join(', ')} regarding ${ch.metadata.name}`, async () => {
    const events = await eventsOf(f, ch);
    return reasons.every((r) => events.some((e) => e.reason === r)) ? events : undefined;
  });
}

test('a Challenge going Pending → Running has Events for its children and for Running', async (t) => {
  const f = await Fixture.create('ev-run');
  t.after(() => f.close());
  await f.createDefinition('web-basic', definitionSpec({ withDb: true }));
  await f.createChallenge('c-alice', { user: 'alice', definition: 'web-basic' });
  const pending = await f.waitForState('c-alice', 'Pending');
  await f.markAllAvailable('c-alice', 2);
  const running = await f.waitForState('c-alice', 'Running');

  const events = await waitForReasons(f, pending, ['ChildrenCreated', 'Running']);
  const created = events.find((e) => e.reason === 'ChildrenCreated')!;
  assert.equal(created.type, 'Normal');
  assert.equal(created.action, 'Create');
  assert.match(created.note!, /created (Deployment|Service|NetworkPolicy) ch-1-alice-/);
  const run = events.find((e) => e.reason === 'Running')!;
  assert.equal(run.type, 'Normal');
  assert.match(run.note!, new RegExp(`endpoint NodePort ${running.status!.endpoint}`));
  for (const e of events) {
    // The standard shape: regarding the Challenge, reported by the operator, MicroTime eventTime.
    assert.equal(e.regarding!.kind, 'Challenge');
    assert.equal(e.regarding!.apiVersion, 'apps.hexactf.io/v1alpha1');
    assert.equal(e.regarding!.name, 'c-alice');
    assert.equal(e.regarding!.namespace, f.ns);
    assert.equal(e.regarding!.uid, pending.metadata.uid);
    assert.ok(e.regarding!.resourceVersion);
    assert.equal(e.reportingController, REPORTING_CONTROLLER);
    assert.ok(e.reportingInstance);
    assert.ok(e.eventTime);
  }
  // Nothing is said twice: a status that did not change the state records nothing.
  assert.equal(events.filter((e) => e.reason === 'Running').length, 1);
  assert.equal(events.some((e) => e.type === 'Warning'), false, `no warnings: ${events.map((e) => e.reason).join(', ')}`);
});

test('a Challenge going to Error has a Warning Event with its reason', async (t) => {
  const f = await Fixture.create('ev-err');
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  await f.createChallenge('c-bob', { user: 'bob', definition: 'web-basic' });
  const [d] = await f.waitForDeployments('c-bob', 1);
  await f.createWaitingPod(d.metadata!.name!, 'ImagePullBackOff', 'back-off pulling image "evil\u202e/gpj.exe"\nline two');
  const err = await f.waitForState('c-bob', 'Error');
  const events = await waitForReasons(f, err, ['ImagePullBackOff']);
  const warning = events.find((e) => e.reason === 'ImagePullBackOff')!;
  assert.equal(warning.type, 'Warning');
  // The pod message is user-controlled: the bidi override and the line break are escaped, not passed through.
  assert.match(warning.note!, /container web: ImagePullBackOff: back-off pulling image "evil\\u202e\/gpj\.exe"\\u000aline two/);
  assert.ok(!/[\u202e\n]/.test(warning.note!));

  // A missing definition: another reason, its own Warning.
  await f.createChallenge('c-carol', { user: 'carol', definition: 'nope' });
  const missing = await f.waitForState('c-carol', 'Error');
  const [notFound] = (await waitForReasons(f, missing, ['DefinitionNotFound'])).filter((e) => e.reason === 'DefinitionNotFound');
  assert.equal(notFound.type, 'Warning');
  assert.equal(notFound.note, 'definition nope not found');
});

test('a burst of occurrences is one Event with a series, written a few times, not per occurrence', async (t) => {
  const f = await Fixture.create('ev-burst');
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  const ch = await f.createChallenge('c-dan', { user: 'dan', definition: 'web-basic' });
  await f.waitForState('c-dan', 'Pending');
  const recorder = f.manager!.events!;
  const before = { ...recorder.writes };
  const regarding = regardingOf(ch);
  for (let i = 0; i < 1000; i++) recorder.record(regarding, { type: 'Warning', reason: 'BurstTest', action: 'Open', note: `open ${i}` });
  await recorder.flush();
  const events = (await eventsOf(f, ch)).filter((e) => e.reason === 'BurstTest');
  assert.equal(events.length, 1, 'one Event object for the whole burst');
  assert.equal(events[0].series?.count, 1000);
  assert.equal(events[0].note, 'open 999');
  const writes = recorder.writes.create + recorder.writes.patch - before.create - before.patch;
  assert.ok(writes <= 3, `${writes} writes for 1000 occurrences`);

  // 1,000 distinct Challenges opened at once: at most the queue's worth waits, the rest is dropped and counted,
  // and the writes go out at the recorder's global rate, not all at once.
  const many = Array.from({ length: 1500 }, (_, i) => ({ ...regarding, uid: `burst-${i}`, name: `burst-${i}` }));
  for (const r of many) recorder.record(r, { type: 'Normal', reason: 'Opened', action: 'Open', note: 'opened' });
  assert.ok(recorder.pending <= 1000, `${recorder.pending} pending`);
  const metrics = await f.scrapeText();
  assert.match(metrics, /event_recorder_dropped_total\{reason="queue_full"\} 500/);
});

test('--record-events=false records no Events', async (t) => {
  const f = await Fixture.create('ev-off', { recordEvents: false });
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  await f.createChallenge('c-erin', { user: 'erin', definition: 'web-basic' });
  await f.markAllAvailable('c-erin', 1);
  const running = await f.waitForState('c-erin', 'Running');
  await f.createChallenge('c-frank', { user: 'frank', definition: 'nope' });
  await f.waitForState('c-frank', 'Error');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(f.manager!.events, undefined);
  assert.deepEqual(await eventsOf(f, running), []);
  const all = await f.kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: f.ns });
  assert.deepEqual(all.items.map((e) => e.reason), []);
});
