import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { WorkQueue } from '../../src/queue/work-queue.ts';

test('a key queued twice is handed out once', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
});

test('a key added while processing is re-queued on done, never handed to two workers', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  const k = await q.get();
  q.add('a');
  assert.equal(q.len(), 0, 'not queued while processing');
  q.done(k!);
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'a');
});

test('a waiting worker is woken by add', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  const p = q.get();
  q.add('x');
  assert.equal(await p, 'x');
});

test('addAfter fires at the due time and the earliest delay wins', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  q.addAfter('a', 1000);
  q.addAfter('a', 500);
  q.addAfter('a', 2000);
  clock.advance(499);
  assert.equal(q.len(), 0);
  clock.advance(1);
  assert.equal(q.len(), 1);
  clock.advance(5000);
  assert.equal(q.len(), 1, 'later delays were dropped');
});

test('per-key exponential backoff, reset by forget', () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, baseDelayMs: 10, maxDelayMs: 100 });
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((n) => q.backoffFor(n)),
    [10, 20, 40, 80, 100, 100]
  );
  q.addRateLimited('a');
  q.addRateLimited('b');
  assert.equal(q.numRequeues('a'), 1);
  clock.advance(10);
  assert.equal(q.len(), 2);
  q.addRateLimited('a');
  assert.equal(q.numRequeues('a'), 2);
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);
  assert.equal(q.numRequeues('b'), 1);
});

test('shutDown releases waiting workers and drops delayed keys', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  const p = q.get();
  q.addAfter('a', 100);
  q.shutDown();
  assert.equal(await p, undefined);
  assert.equal(clock.pendingTimers(), 0);
  q.add('b');
  assert.equal(await q.get(), undefined);
});

test('metrics sink sees adds, retries, depth and durations', async () => {
  const clock = new FakeClock();
  const seen = { add: 0, retry: 0, depth: [] as number[], queued: [] as number[], worked: [] as number[] };
  const q = new WorkQueue({
    clock,
    metrics: {
      add: () => seen.add++,
      retry: () => seen.retry++,
      depth: (n) => seen.depth.push(n),
      queued: (s) => seen.queued.push(s),
      worked: (s) => seen.worked.push(s),
    },
  });
  q.add('a');
  clock.advance(2000);
  const k = await q.get();
  clock.advance(500);
  q.done(k!);
  q.addRateLimited('a');
  assert.equal(seen.add, 1);
  assert.equal(seen.retry, 1);
  assert.deepEqual(seen.queued, [2]);
  assert.deepEqual(seen.worked, [0.5]);
  assert.deepEqual(seen.depth, [1, 0]);
});

test('fair queueing: after a pile of user A keys, user B key is handed out second, not last', async () => {
  const q = new WorkQueue({ clock: new FakeClock(), fairnessKeyOf: (k) => k.split('-')[0] });
  for (let i = 0; i < 100; i++) {
    q.add(`a-${i}`);
  }
  q.add('b-0');
  assert.equal(q.len(), 101);
  assert.equal(await q.get(), 'a-0');
  assert.equal(await q.get(), 'b-0');
  assert.equal(await q.get(), 'a-1', 'A keeps its own order');
  assert.equal(q.len(), 98);
});

test('fair queueing: groups take turns, each FIFO, dedup and one-worker-per-key kept', async () => {
  const q = new WorkQueue({ clock: new FakeClock(), fairnessKeyOf: (k) => k.split('-')[0] });
  for (const k of ['a-1', 'a-2', 'b-1', 'a-3', 'b-2', 'c-1', 'a-1', 'b-1']) {
    q.add(k);
  }
  assert.equal(q.len(), 6);
  const first = await q.get();
  assert.equal(first, 'a-1');
  q.add('a-1'); // while processing: not queued again until done
  assert.equal(q.len(), 5);
  const order = [];
  for (let i = 0; i < 5; i++) {
    order.push(await q.get());
  }
  assert.deepEqual(order, ['b-1', 'c-1', 'a-2', 'b-2', 'a-3']);
  q.done(first!);
  assert.equal(await q.get(), 'a-1');
});

test('fair queueing: delayed keys join their group when due; shutDown still ends get', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, fairnessKeyOf: (k) => k.split('-')[0] });
  q.add('a-1');
  q.add('a-2');
  q.addAfter('b-1', 100);
  clock.advance(100);
  assert.equal(await q.get(), 'a-1');
  assert.equal(await q.get(), 'b-1');
  q.shutDown();
  assert.equal(await q.get(), undefined);
});

test('priorities: a low key waits until no normal key does, each priority in its own fair order', async () => {
  const q = new WorkQueue({ clock: new FakeClock(), fairnessKeyOf: (k) => k.split('-')[0] });
  q.add('a-new1', 'low');
  q.add('b-new1', 'low');
  q.add('a-available');
  q.add('a-new2', 'low');
  q.add('c-available');
  assert.equal(q.len(), 5);
  const order = [];
  for (let i = 0; i < 5; i++) {
    order.push(await q.get());
  }
  assert.deepEqual(order, ['a-available', 'c-available', 'a-new1', 'b-new1', 'a-new2']);
  assert.equal(q.len(), 0);
});

test('priorities: a normal add lifts a key waiting as low, which is then handed out once', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('new-1', 'low');
  q.add('new-2', 'low');
  q.add('new-3', 'low');
  q.add('new-3'); // its Deployment's event arrives while it still waits
  q.add('new-3', 'low'); // a low add does not put it back
  assert.equal(q.len(), 3);
  assert.equal(await q.get(), 'new-3');
  assert.equal(await q.get(), 'new-1');
  assert.equal(await q.get(), 'new-2');
  assert.equal(q.len(), 0);
  q.add('other', 'low');
  assert.equal(await q.get(), 'other', 'the stale low entry of new-3 was skipped');
});

test('priorities: a normal add while a low key is processed re-queues it as normal on done', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('k', 'low');
  const k = await q.get();
  q.add('k'); // an event during its reconcile
  q.add('later', 'low');
  q.done(k!);
  q.add('queued-after', 'low');
  assert.equal(await q.get(), 'k', 'ahead of the low keys added before its done');
  assert.equal(await q.get(), 'later');
});
