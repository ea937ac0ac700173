// Kubernetes Events on the real apiserver: what the operator records about a Challenge's life (events.k8s.io/v1,
// regarding the Challenge), and how repeats and bursts are aggregated and rate limited instead of piling up:
// the same Event again is a series count, one object cannot flood, and 1,000 distinct ones at once are written at
// the recorder's global rate (the rest dropped and counted), never all at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Challenge } from '../../src/api/types.ts';
import { EventRecorder } from '../../src/kube/events.ts';
import { RestClient } from '../../src/kube/rest.ts';
import { EVENTS_CONTROLLER } from '../../src/options.ts';
import { Fixture, definitionSpec, waitFor } from './harness.ts';

interface Event {
  metadata: { name: string };
  reason: string;
  type: string;
  action: string;
  note: string;
  reportingController: string;
  reportingInstance: string;
  regarding: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    namespace: string;
    resourceVersion?: string;
  };
  series?: { count: number; lastObservedTime: string };
  eventTime: string;
}

async function events(rest: RestClient, ns: string): Promise<Event[]> {
  return (await rest.get<{ items: Event[] }>(`/apis/events.k8s.io/v1/namespaces/${ns}/events`)).items;
}

test('the operator records Events regarding each Challenge: children created, errors with their reason', async (t) => {
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
    const of = (ch: Challenge, reason: string) =>
      all.find((e) => e.regarding.uid === ch.metadata.uid && e.reason === reason);
    const want = [of(ok, 'ChildrenCreated'), of(lost, 'DefinitionNotFound')];
    return want.every(Boolean) && (want as Event[]);
  });
  const [created, notFound] = got;
  assert.equal(created.type, 'Normal');
  assert.equal(created.action, 'Create');
  assert.match(created.note, /^created Deployment ch-.*, Service ch-/);
  assert.deepEqual(
    { kind: created.regarding.kind, name: created.regarding.name, namespace: created.regarding.namespace },
    { kind: 'Challenge', name: 'ok', namespace: f.ns }
  );
  assert.equal(created.reportingController, EVENTS_CONTROLLER);
  assert.equal(created.reportingInstance, f.manager!.identity);
  for (const e of got) {
    assert.equal(e.regarding.apiVersion, 'apps.hexactf.io/v1alpha1');
    assert.ok(e.regarding.resourceVersion, 'regarding carries the resourceVersion it was about');
    assert.match(e.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime');
  }
  assert.deepEqual([created.regarding.uid, notFound.regarding.uid], [ok.metadata.uid, lost.metadata.uid]);
  // Becoming Running is in the status and the metrics; an Event for it would double the Events of every open.
  await f.manager!.events!.flush();
  assert.equal(
    (await events(rest, f.ns)).filter((e) => e.regarding.uid === ok.metadata.uid && e.reason === 'Running').length,
    0
  );
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
  for (let i = 0; i < 50; i++) {
    objects.push(await f.createChallenge(`c-${i}`, { user: `u-${i}`, definition: 'web' }));
  }
  const recorder = new EventRecorder(rest, {
    controller: EVENTS_CONTROLLER,
    instance: 'test',
    seriesFlushMs: 3_600_000,
    globalQps: 200,
    globalBurst: 200,
  });
  t.after(() => recorder.stop());

  // 1,000 opens' worth of the same few Events: 50 Challenges, each told the same thing 20 times.
  for (let round = 0; round < 20; round++) {
    for (const ch of objects) {
      recorder.record(
        ch,
        'Normal',
        'QuotaWait',
        'Admit',
        `waiting for a slot of user ${ch.metadata.labels?.['apps.hexactf.io/user']}`
      );
    }
  }
  // One Challenge told 100 different things at once: its bucket holds 25.
  for (let i = 0; i < 100; i++) {
    recorder.record(objects[0], 'Warning', 'ChildCreateRetrying', 'Create', `attempt ${i} failed`);
  }
  await recorder.flush();

  const all = await events(rest, f.ns);
  const waits = all.filter((e) => e.reason === 'QuotaWait');
  assert.equal(waits.length, 50, 'one Event per Challenge, not 1,000');
  assert.ok(
    waits.every((e) => e.series?.count === 20),
    JSON.stringify(waits.map((e) => e.series))
  );
  const retries = all.filter((e) => e.reason === 'ChildCreateRetrying');
  // The first object already spent 1 token on QuotaWait: 24 left for the different notes.
  assert.equal(retries.length, 24);
  assert.equal(all.length, 74, `${all.length} Event objects for 1,100 records`);
  // The repeats came before the writer got to them: each Event is created with its series already counted, so
  // 1,100 records cost 74 writes and no series patch.
  assert.deepEqual({ ...recorder.stats }, { created: 74, seriesWrites: 0, aggregated: 950, dropped: 76, failed: 0 });
});

test('a user-controlled message is escaped in the Warning Event of an Error', async (t) => {
  const f = await Fixture.create('eventnote');
  t.after(() => f.close());
  const rest = new RestClient(f.kc);
  t.after(() => rest.close());
  await f.createDefinition('web', definitionSpec());
  const ch = await f.createChallenge('c-dave', { user: 'dave', definition: 'web' });
  const [d] = await f.waitForDeployments('c-dave', 1);
  await f.createWaitingPod(
    d.metadata!.name!,
    'ImagePullBackOff',
    'back-off pulling image "evil\u202e/gpj.exe"\nline two'
  );
  await f.waitForState('c-dave', 'Error');
  const warning = await waitFor('the ImagePullBackOff Event', async () =>
    (await events(rest, f.ns)).find((e) => e.regarding.uid === ch.metadata.uid && e.reason === 'ImagePullBackOff')
  );
  assert.equal(warning.type, 'Warning');
  // The bidi override (which would make kubectl show a reversed name) and the line break are escaped.
  assert.match(warning.note, /back-off pulling image "evil\\u202e\/gpj\.exe"\\u000aline two/);
  assert.ok(!/[\u202e\n]/.test(warning.note));
});

test("the operator's recorder: 1,000 repeats are one Event written in a few requests; 1,500 distinct at once are written at its global rate", async (t) => {
  const f = await Fixture.create('eventflood', { kubeApiQps: 20, kubeApiBurst: 30 });
  t.after(() => f.close());
  const rest = new RestClient(f.kc);
  t.after(() => rest.close());
  const ch = await f.createChallenge('c-erin', { user: 'erin', definition: 'none' });
  await f.waitForState('c-erin', 'Error');
  const recorder = f.manager!.events!;
  await recorder.flush();
  const before = { ...recorder.stats };
  for (let i = 0; i < 1000; i++) {
    recorder.record(ch, 'Warning', 'BurstTest', 'Open', 'the same thing again');
  }
  await recorder.flush();
  const burst = (await events(rest, f.ns)).filter((e) => e.reason === 'BurstTest');
  assert.equal(burst.length, 1, 'one Event object for 1,000 occurrences');
  assert.equal(burst[0].series?.count, 1000);
  const writes = recorder.stats.created + recorder.stats.seriesWrites - before.created - before.seriesWrites;
  assert.ok(writes <= 2, `${writes} writes for 1,000 occurrences`);

  // 1,500 opens' worth of distinct Events at once: 1,000 wait, 500 are dropped and counted, and the writes go out
  // at a quarter of --kube-api-qps (5/s after a burst of 7), not as fast as the apiserver answers.
  const started = Date.now();
  const created = recorder.stats.created;
  for (let i = 0; i < 1500; i++) {
    recorder.record(
      {
        apiVersion: 'apps.hexactf.io/v1alpha1',
        kind: 'Challenge',
        metadata: { namespace: f.ns, name: `open-${i}`, uid: `open-${i}` },
      },
      'Normal',
      'Opened',
      'Open',
      'opened'
    );
  }
  assert.equal(recorder.pending, 1000);
  // The sleep is the measurement window: how many Events the rate limit let through in 2 s.
  await new Promise((r) => setTimeout(r, 2000));
  const sent = recorder.stats.created - created;
  const allowed = 7 + 5 * ((Date.now() - started) / 1000) + 1;
  assert.ok(
    sent >= 7 && sent <= allowed,
    `${sent} Events written in ${Date.now() - started} ms (budget ${allowed.toFixed(1)})`
  );
  const metrics = await f.scrapeText();
  assert.match(metrics, /event_recorder_dropped_total\{reason="queue_full"\} 500/);
  assert.match(metrics, /event_recorder_writes_total\{verb="create",result="success"\} \d+/);
});
