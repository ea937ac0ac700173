// Pending → Running → Deleted, children, endpoint, cleanup and the Deleted series' retention.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_METRIC } from '@hexactf/contract';
import { waitFor } from '@hexactf/testing/wait';
import { Fixture, definitionSpec, parseSeries, seriesKey } from './harness.ts';

test('a Challenge goes Pending → Running → Deleted, with its children created and removed', async (t) => {
  const f = await Fixture.create('life');
  t.after(() => f.close());
  await f.createDefinition('web-basic', definitionSpec({ nodePort: 30080, withDb: true, category: 'web' }));
  // Its lifecycle series exist at 0 before any Challenge of it (the first observation must be a rise from 0).
  await waitFor('lifecycle series at 0', async () => {
    const text = await f.scrapeText();
    return [
      `challenge_time_to_running_seconds_count{namespace="${f.ns}",definition="web-basic"} 0`,
      `challenge_lifetime_seconds_bucket{le="+Inf",namespace="${f.ns}",definition="web-basic"} 0`,
      `challenge_state_transitions_total{namespace="${f.ns}",from="None",to="Pending"} 0`,
    ].every((l) => text.includes(l));
  });
  await f.createChallenge('challenge-1-alice', { user: 'alice', challengeId: '1', definition: 'web-basic' });

  const pending = await f.waitForState('challenge-1-alice', 'Pending');
  assert.deepEqual(pending.metadata.finalizers, ['challenge.hexactf.io/finalizer']);
  assert.ok(pending.status?.pendingSince);
  assert.equal(pending.status?.startedAt, undefined);
  const key = seriesKey({ name: 'challenge-1-alice', user: 'alice', ns: f.ns });
  assert.equal((await f.statusSeries()).get(key), '0');

  // One Deployment per component, one Service for the component that has one; owned, labelled, DNS-safe.
  const deployments = await f.waitForDeployments('challenge-1-alice', 2);
  const services = await f.servicesOf(pending);
  assert.equal(services.length, 1);
  for (const obj of [...deployments, ...services]) {
    assert.match(obj.metadata!.name!, /^ch-1-alice-(web|db)-[0-9a-f]{16}$/);
    const [ref] = obj.metadata!.ownerReferences!;
    assert.equal(ref.kind, 'Challenge');
    assert.equal(ref.uid, pending.metadata.uid);
    assert.equal(ref.controller, true);
    assert.equal(obj.metadata!.labels!['apps.hexactf.io/user'], 'alice');
    assert.equal(obj.metadata!.labels!['apps.hexactf.io/challengeId'], '1');
  }
  const db = deployments.find((d) => d.metadata!.labels!['apps.hexactf.io/component'] === 'db')!;
  assert.equal(db.spec!.replicas, 2);
  // The definition's fixed nodePort is dropped: the apiserver allocated another one, and it is the endpoint.
  const nodePort = services[0].spec!.ports![0].nodePort!;
  assert.ok(nodePort >= 30000 && nodePort <= 32767 && nodePort !== 30080, `allocated ${nodePort}`);
  const withEndpoint = await waitFor('endpoint', async () => {
    const ch = await f.getChallenge('challenge-1-alice');
    return ch?.status?.endpoint ? ch : undefined;
  });
  assert.equal(withEndpoint.status!.endpoint, nodePort);

  // Still Pending while one Deployment is unavailable.
  await f.settledAfter(() => f.markAvailable(deployments[0].metadata!.name!));
  assert.equal((await f.getChallenge('challenge-1-alice'))!.status!.currentStatus!.state, 'Pending');
  await f.markAvailable(deployments[1].metadata!.name!);
  const running = await f.waitForState('challenge-1-alice', 'Running');
  assert.ok(running.status!.startedAt);
  assert.equal(running.status!.observedGeneration, running.metadata.generation);
  const ready = running.status!.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'True');
  const text = await f.scrapeText();
  assert.equal(parseSeries(text, STATUS_METRIC).get(key), '1');
  assert.ok(
    text.includes(
      `challenge_info{challenge_id="1",challenge_name="challenge-1-alice",username="alice",namespace="${f.ns}",definition="web-basic",category="web"} 1`
    )
  );
  assert.ok(
    text.includes(
      `challenge_definition_requests{namespace="${f.ns}",definition="web-basic",category="web",resource="cpu"} 0.2`
    )
  );
  assert.match(
    text,
    new RegExp(`challenge_state_transitions_total\\{namespace="${f.ns}",from="Pending",to="Running"\\} 1`)
  );
  assert.match(text, /controller_runtime_reconcile_total\{controller="challenge",result="success"\} \d+/);
  assert.match(text, /leader_election_master_status\{name="challenge-operator.hexactf.io"\} 1/);

  // Deletion: children removed explicitly (there is no garbage collector here), then the finalizer.
  await f.deleteChallenge('challenge-1-alice');
  await f.waitForGone('challenge-1-alice');
  assert.deepEqual(await f.allChildren(), [], 'no orphaned children');
  const after = await f.scrapeText();
  assert.equal(parseSeries(after, STATUS_METRIC).get(key), '2', 'Deleted stays visible');
  assert.ok(
    !after.includes('challenge_name="challenge-1-alice",username="alice",namespace="' + f.ns + '",definition'),
    'no info for a gone instance'
  );
  assert.match(after, /challenge_lifetime_seconds_count\{namespace="[^"]+",definition="web-basic"\} 1/);

  // ...for the retention window (10 s here), then the series is gone.
  f.clock.offsetMs = 9_000;
  assert.equal((await f.statusSeries()).get(key), '2');
  f.clock.offsetMs = 10_500;
  assert.equal((await f.statusSeries()).has(key), false);
});

test('a deletion that cannot finish stays Deleted with a condition saying why', async (t) => {
  const f = await Fixture.create('stuck');
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  await f.createChallenge('c-bob', { user: 'bob', definition: 'web-basic' });
  const [d] = await f.waitForDeployments('c-bob', 1);
  // Someone else's finalizer holds the Deployment.
  await f.apps.patchNamespacedDeployment({
    name: d.metadata!.name!,
    namespace: f.ns,
    body: [{ op: 'add', path: '/metadata/finalizers', value: ['example.com/hold'] }],
  });
  await f.deleteChallenge('c-bob');
  const stuck = await waitFor('CleanupBlocked condition', async () => {
    const ch = await f.getChallenge('c-bob');
    return ch?.status?.conditions?.find((c) => c.type === 'CleanupBlocked') ? ch : undefined;
  });
  assert.equal(stuck.status!.currentStatus!.state, 'Deleted');
  const cond = stuck.status!.conditions!.find((c) => c.type === 'CleanupBlocked')!;
  assert.equal(cond.status, 'True');
  assert.match(cond.message, new RegExp(`deployment ${d.metadata!.name} \\(finalizers: example.com/hold\\)`));
  assert.deepEqual(stuck.metadata.finalizers, ['challenge.hexactf.io/finalizer']);
  assert.equal((await f.statusSeries()).get(seriesKey({ name: 'c-bob', user: 'bob', ns: f.ns })), '2');
  assert.equal((await f.servicesOf(stuck)).length, 0, 'the Service went away');

  // Releasing the hold lets the deletion finish.
  await f.apps.patchNamespacedDeployment({
    name: d.metadata!.name!,
    namespace: f.ns,
    body: [{ op: 'remove', path: '/metadata/finalizers' }],
  });
  await f.waitForGone('c-bob');
  assert.deepEqual(await f.allChildren(), []);
});

test('long Challenge names and odd user or challenge ids still give valid, distinct children', async (t) => {
  const f = await Fixture.create('names');
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  const long = `c-${'x'.repeat(200)}`;
  await f.createChallenge(long, { user: 'Alice.Smith_99', challengeId: 'Web.2024_A', definition: 'web-basic' });
  await f.createChallenge(`${long}-2`, { user: 'alice.smith-99', challengeId: 'web-2024-a', definition: 'web-basic' });
  const a = await f.waitForDeployments(long, 1);
  const b = await f.waitForDeployments(`${long}-2`, 1);
  for (const d of [...a, ...b]) {
    assert.match(d.metadata!.name!, /^ch-web-2024-a-alice-smith-99-web-[0-9a-f]{16}$/);
  }
  assert.notEqual(a[0].metadata!.name, b[0].metadata!.name);
  await f.markAvailable(a[0].metadata!.name!);
  await f.waitForState(long, 'Running');
  const series = await f.statusSeries();
  assert.equal(
    series.get(`{challenge_id="Web.2024_A",challenge_name="${long}",username="Alice.Smith_99",namespace="${f.ns}"}`),
    '1'
  );
});
