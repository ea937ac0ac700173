import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Lease } from '@kubernetes/client-node';
import { FakeClock } from '../../src/clock.ts';
import { LeaderElector, type LeaseStore } from '../../src/kube/leader-election.ts';
import { silentLogger } from '../../src/log.ts';

// An in-memory Lease with resourceVersion checks: lets the fake clock drive expiry and renew deadlines
// (the real Lease API is exercised by the integration suite). Can be made to fail, like an unreachable apiserver.
class MemoryLeaseStore implements LeaseStore {
  lease?: V1Lease;
  rv = 0;
  down = false;
  private check() {
    if (this.down) {
      throw Object.assign(new Error('connection refused'), { code: 0 });
    }
  }
  async get() {
    this.check();
    return this.lease && structuredClone(this.lease);
  }
  async create(l: V1Lease) {
    this.check();
    if (this.lease) {
      throw Object.assign(new Error('exists'), { code: 409 });
    }
    this.lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  }
  async replace(l: V1Lease) {
    this.check();
    if (l.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) {
      throw Object.assign(new Error('conflict'), { code: 409 });
    }
    this.lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  }
}

const flush = async () => {
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setImmediate(r));
  }
};

function elector(store: LeaseStore, clock: FakeClock, identity: string, events: string[]) {
  return new LeaderElector({
    store,
    clock,
    identity,
    name: 'lock',
    namespace: 'default',
    leaseDurationMs: 15_000,
    log: silentLogger,
    onStartedLeading: () => events.push(`${identity} leads`),
    onStoppedLeading: () => events.push(`${identity} stops`),
  });
}

async function advance(clock: FakeClock, ms: number, step = 500) {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

test('one of two candidates leads; the other takes over only after the lease expires on its own clock', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore();
  const events: string[] = [];
  const a = elector(store, clock, 'a', events);
  const b = elector(store, clock, 'b', events);
  a.start();
  await flush();
  b.start();
  await flush();
  assert.deepEqual(events, ['a leads']);
  assert.equal(store.lease?.spec?.holderIdentity, 'a');
  // Lease times must serialize as MicroTime (microseconds), which the apiserver requires.
  assert.match(JSON.stringify(store.lease?.spec?.renewTime), /\.\d{6}Z"$/);

  await advance(clock, 30_000);
  assert.deepEqual(events, ['a leads'], 'renewals keep a in charge');

  // a freezes (no renewals): b waits a full lease duration after it last saw a change.
  (a as any).stopped = true;
  await advance(clock, 14_000);
  assert.deepEqual(events, ['a leads']);
  // ...at most one retry period (2 s) to notice the last renewal + 15 s + one retry period to act.
  await advance(clock, 6_000);
  assert.deepEqual(events, ['a leads', 'b leads']);
  assert.equal(store.lease?.spec?.holderIdentity, 'b');
  assert.equal(store.lease?.spec?.leaseTransitions, 1);
  await b.stop();
});

test('a leader that cannot renew within the deadline steps down', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore();
  const events: string[] = [];
  const a = elector(store, clock, 'a', events);
  a.start();
  await flush();
  store.down = true;
  await advance(clock, 9_000);
  assert.ok(a.isLeader());
  await advance(clock, 2_000);
  assert.ok(!a.isLeader());
  assert.deepEqual(events, ['a leads', 'a stops']);
  store.down = false;
  await advance(clock, 2_000);
  assert.ok(a.isLeader(), 'its own unexpired lease is renewed again');
  await a.stop();
});

// A renewal that never answers (a request stuck behind a queue, a silent network): the in-memory store is the fake
// here because the real apiserver answers or refuses; the stall is what the issue saw behind a client-side bucket.
test('a leader whose renewal hangs steps down at the renew deadline, before the lease runs out for the others', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore();
  const events: string[] = [];
  const a = elector(store, clock, 'a', events);
  const b = elector(store, clock, 'b', events);
  a.start();
  await flush();
  b.start();
  await flush();
  const realGet = store.get.bind(store);
  let hang = false;
  store.get = () => (hang ? new Promise(() => undefined) : realGet());
  await advance(clock, 2_000, 250);
  hang = true;
  const stalledAt = clock.now();
  await advance(clock, 9_500, 250);
  assert.ok(a.isLeader(), 'within the deadline');
  await advance(clock, 1_000, 250);
  assert.ok(!a.isLeader(), 'stepped down at the 10 s deadline although its renewal never answered');
  const stoppedAfter = clock.now() - stalledAt;
  assert.ok(stoppedAfter < 15_000 - 2_000, `stopped ${stoppedAfter} ms after the last renewal`);
  assert.deepEqual(events, ['a leads', 'a stops']);
  hang = false;
  // Neither leads until b sees the lease expire on its own clock: never two at once.
  a.stop();
  await advance(clock, 20_000, 250);
  assert.deepEqual(events, ['a leads', 'a stops', 'b leads']);
  await b.stop();
});

test('renewDeadline and retryPeriod: given, or derived from the lease duration; their order is checked', () => {
  const opts = {
    store: new MemoryLeaseStore(),
    clock: new FakeClock(),
    name: 'l',
    namespace: 'n',
    identity: 'i',
    log: silentLogger,
    onStartedLeading() {},
    onStoppedLeading() {},
  };
  const d = new LeaderElector({ ...opts, leaseDurationMs: 15_000 });
  assert.deepEqual([d.renewDeadlineMs, d.retryPeriodMs], [10_000, 2_000]);
  const g = new LeaderElector({ ...opts, leaseDurationMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 5_000 });
  assert.deepEqual([g.renewDeadlineMs, g.retryPeriodMs], [20_000, 5_000]);
  assert.throws(
    () => new LeaderElector({ ...opts, leaseDurationMs: 15_000, renewDeadlineMs: 15_000 }),
    /leaseDuration > renewDeadline/
  );
  assert.throws(
    () => new LeaderElector({ ...opts, leaseDurationMs: 15_000, renewDeadlineMs: 5_000, retryPeriodMs: 5_000 }),
    /renewDeadline > retryPeriod/
  );
});

test('stop releases the lease so the next candidate takes over at once', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore();
  const events: string[] = [];
  const a = elector(store, clock, 'a', events);
  const b = elector(store, clock, 'b', events);
  a.start();
  await flush();
  b.start();
  await flush();
  await a.stop();
  assert.equal(store.lease?.spec?.holderIdentity, '');
  await advance(clock, 2_000);
  assert.deepEqual(events, ['a leads', 'a stops', 'b leads']);
  await b.stop();
});
