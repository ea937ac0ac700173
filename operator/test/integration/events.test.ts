// Kubernetes Events on the real apiserver: what the operator records about a Challenge's life (events.k8s.io/v1,
// regarding the Challenge), and how repeats and bursts are aggregated and rate limited instead of piling up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Challenge } from '../../src/api/types.ts';
import { EventRecorder } from '../../src/kube/events.ts';
import { RestClient } from '../../src/kube/rest.ts';
import { EVENTS_CONTROLLER } from '../../src/manager.ts';
import { Fixture, definitionSpec, waitFor } from './harness.ts';

interface Event {
  metadata: { name: string };
  reason: string;
  type: string;
  action: string;
  note: string;
  reportingController: string;
  reportingInstance: string;
  regarding: { kind: string; name: string; uid: string; namespace: string };
  series?: { count: number; lastObservedTime: string };
}

async function events(rest: RestClient, ns: string): Promise<Event[]> {
  return (await rest.get<{ items: Event[] }>(`/apis/events.k8s.io/v1/namespaces/${ns}/events`)).items;
}

test('the operator records Events regarding each Challenge: children created, Running, errors with their reason', async (t) => {
  const f = await Fixture.create('events');
  t.after(() => f.close());
  const rest = new RestClient(f.kc);
  t.after(() => rest.close());
  await f.createDefinition('web', definitionSpec());
  const ok = await f.createChallenge('ok', { user: 'alice', definition: 'web' });
  const lost = await f.createChallenge('lost', { user: 'bob', definition: 'nope' });
  await f.waitForState('lost', 'Error');
  const [d] = await f.waitForDeployments('ok', 1);
  await f.markAvailable(d);
  await f.waitForState('ok', 'Running');

  const got = await waitFor('the Events of both Challenges', async () => {
    await f.manager!.events!.flush();
    const all = await events(rest, f.ns);
    const of = (ch: Challenge, reason: string) => all.find((e) => e.regarding.uid === ch.metadata.uid && e.reason === reason);
    const want = [of(ok, 'ChildrenCreated'), of(ok, 'Running'), of(lost, 'DefinitionNotFound')];
    return want.every(Boolean) && (want as Event[]);
  });
  const [created, running, notFound] = got;
  assert.equal(created.type, 'Normal');
  assert.equal(created.action, 'Create');
  assert.match(created.note, /^created Deployment ch-.*, Service ch-/);
  assert.deepEqual({ kind: created.regarding.kind, name: created.regarding.name, namespace: created.regarding.namespace }, { kind: 'Challenge', name: 'ok', namespace: f.ns });
  assert.equal(created.reportingController, EVENTS_CONTROLLER);
  assert.equal(created.reportingInstance, f.manager!.identity);
  assert.equal(running.type, 'Normal');
  assert.equal(notFound.type, 'Warning');
  assert.match(notFound.note, /definition nope not found/);
});

test('--emit-events=false records none', async (t) => {
  const f = await Fixture.create('noevents', { emitEvents: false });
  t.after(() => f.close());
  const rest = new RestClient(f.kc);
  t.after(() => rest.close());
  await f.createChallenge('lost', { user: 'bob', definition: 'nope' });
  await f.waitForState('lost', 'Error');
  assert.equal(f.manager!.events, undefined);
  assert.deepEqual(await events(rest, f.ns), []);
});

test('a burst is aggregated: repeats become one Event with a series count; one object cannot flood', async (t) => {
  const f = await Fixture.create('eventburst', {}, false);
  const rest = new RestClient(f.kc);
  t.after(async () => {
    await rest.close();
    await f.close();
  });
  const objects: Challenge[] = [];
  for (let i = 0; i < 50; i++) objects.push(await f.createChallenge(`c-${i}`, { user: `u-${i}`, definition: 'web' }));
  const recorder = new EventRecorder(rest, { controller: EVENTS_CONTROLLER, instance: 'test', seriesFlushMs: 3_600_000 });
  t.after(() => recorder.stop());

  // 1,000 opens' worth of the same few Events: 50 Challenges, each told the same thing 20 times.
  for (let round = 0; round < 20; round++) {
    for (const ch of objects) recorder.record(ch, 'Normal', 'QuotaWait', 'Admit', `waiting for a slot of user ${ch.metadata.labels?.['apps.hexactf.io/user']}`);
  }
  // One Challenge told 100 different things at once: its bucket holds 25.
  for (let i = 0; i < 100; i++) recorder.record(objects[0], 'Warning', 'ChildCreateRetrying', 'Create', `attempt ${i} failed`);
  await recorder.flush();

  const all = await events(rest, f.ns);
  const waits = all.filter((e) => e.reason === 'QuotaWait');
  assert.equal(waits.length, 50, 'one Event per Challenge, not 1,000');
  assert.ok(waits.every((e) => e.series?.count === 20), JSON.stringify(waits.map((e) => e.series)));
  const retries = all.filter((e) => e.reason === 'ChildCreateRetrying');
  // The first object already spent 1 token on QuotaWait: 24 left for the different notes.
  assert.equal(retries.length, 24);
  assert.equal(all.length, 74, `${all.length} Event objects for 1,100 records`);
  assert.deepEqual({ ...recorder.stats }, { created: 74, seriesWrites: 50, aggregated: 950, dropped: 76, failed: 0 });
});
