// The event recorder's aggregation, spam filter, global cap and queue bound, with a fake clock and a sink that
// records what would be written (the real apiserver writes are in test/integration/events.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { EventRecorder, type DropReason, type EventRecorderOptions } from '../../src/kube/events.ts';
import {
  sanitizeNote,
  truncateUtf8,
  type EventBody,
  type EventWriter,
  type EventType,
  type Regarding,
} from '../../src/kube/event-writer.ts';
import { microTime } from '../../src/kube/leader-election.ts';
import { ApiError } from '../../src/kube/rest.ts';

class MemorySink implements EventWriter {
  created: EventBody[] = [];
  patches: Array<{ name: string; series: EventBody['series']; note: string }> = [];
  fail?: (verb: string) => Error | undefined;
  async create(body: EventBody): Promise<void> {
    const err = this.fail?.('create');
    if (err) {
      throw err;
    }
    this.created.push(structuredClone(body));
  }
  async patchSeries(_ns: string, name: string, patch: { series: EventBody['series']; note: string }): Promise<void> {
    const err = this.fail?.('patch');
    if (err) {
      throw err;
    }
    this.patches.push({ name, ...structuredClone(patch) });
  }
}

function setup(o: Partial<EventRecorderOptions> = {}) {
  const clock = new FakeClock();
  const sink = new MemorySink();
  const dropped: DropReason[] = [];
  const rec = new EventRecorder(sink, {
    clock,
    log: silentLogger,
    controller: 'hexactf.io/challenge-operator',
    instance: 'pod-0',
    metrics: { dropped: (r) => dropped.push(r), written: () => {} },
    ...o,
  });
  const record = (r: Regarding, e: { type: EventType; reason: string; action: string; note: string }) =>
    rec.record(r, e.type, e.reason, e.action, e.note);
  return { clock, sink, rec, dropped, record };
}

const obj = (i = 0): Regarding => ({
  apiVersion: 'apps.hexactf.io/v1alpha1',
  kind: 'Challenge',
  metadata: { namespace: 'ctf', name: `c-${i}`, uid: `uid-${i}`, resourceVersion: '7' },
});
const written = (i = 0) => ({
  apiVersion: 'apps.hexactf.io/v1alpha1',
  kind: 'Challenge',
  namespace: 'ctf',
  name: `c-${i}`,
  uid: `uid-${i}`,
  resourceVersion: '7',
});
const warn = (note = 'x', reason = 'QuotaExceeded') => ({ type: 'Warning' as const, reason, action: 'Admit', note });

/** Lets the writer's promises run (the fake sink answers at once). */
const settle = async () => {
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setImmediate(r));
  }
};

test('an occurrence becomes an events.k8s.io/v1 Event of the standard shape', async () => {
  const { clock, sink, rec, record } = setup();
  record(obj(), { type: 'Normal', reason: 'Running', action: 'Start', note: 'every component is available' });
  await settle();
  assert.equal(sink.created.length, 1);
  const e = sink.created[0];
  assert.equal(e.apiVersion, 'events.k8s.io/v1');
  assert.equal(e.kind, 'Event');
  assert.match(e.metadata.name, /^c-0\.[0-9a-f]{16}$/);
  assert.equal(e.metadata.namespace, 'ctf');
  assert.deepEqual(e.regarding, written());
  assert.equal(e.eventTime, microTime(clock.now()));
  assert.match(e.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(e.reportingController, 'hexactf.io/challenge-operator');
  assert.equal(e.reportingInstance, 'pod-0');
  assert.deepEqual(
    [e.type, e.reason, e.action, e.note],
    ['Normal', 'Running', 'Start', 'every component is available']
  );
  assert.equal(e.series, undefined);
});

test('repeats within the window grow one series, written at most every seriesFlushMs, not per occurrence', async () => {
  const { clock, sink, rec, record } = setup({ seriesFlushMs: 10_000 });
  record(obj(), warn('waiting'));
  await settle();
  for (let i = 0; i < 999; i++) {
    clock.advance(10);
    record(obj(), warn('waiting'));
  }
  await settle();
  assert.equal(sink.created.length, 1, 'one Event');
  assert.equal(sink.patches.length, 0, 'the series waits for its flush interval');
  clock.advance(10_000);
  await settle();
  assert.equal(sink.patches.length, 1);
  assert.deepEqual(sink.patches[0].series, {
    count: 1000,
    lastObservedTime: microTime(Date.parse('2026-01-01T00:00:00Z') + 9990),
  });
  assert.equal(sink.patches[0].name, sink.created[0].metadata.name);
  assert.equal(sink.patches[0].note, 'waiting');
  // Nothing new: nothing written.
  clock.advance(60_000);
  await settle();
  assert.equal(sink.patches.length, 1);
});

test('a different reason, action, type, note or object is another Event; after the window a repeat starts a new one', async () => {
  const { clock, sink, rec, record } = setup({ seriesWindowMs: 6 * 60_000 });
  record(obj(), warn());
  record(obj(), warn('x', 'DefinitionNotFound'));
  record(obj(), { ...warn(), action: 'Other' });
  record(obj(), { ...warn(), type: 'Normal' });
  record(obj(1), warn());
  record(obj(), warn('another note'));
  await settle();
  assert.equal(sink.created.length, 6);
  clock.advance(6 * 60_000);
  record(obj(), warn());
  await settle();
  assert.equal(sink.created.length, 7, 'a new Event once the series ended');
  assert.equal(sink.created[6].series, undefined);
});

test('per-object spam filter: 25 new Events, then one per 5 minutes; other objects are not affected', async () => {
  const { clock, sink, rec, dropped, record } = setup({ globalBurst: 1000 });
  for (let i = 0; i < 40; i++) {
    record(obj(), warn('x', `Reason${i}`));
  }
  await settle();
  assert.equal(sink.created.length, 25);
  assert.deepEqual(dropped, Array(15).fill('spam_filter'));
  record(obj(1), warn());
  await settle();
  assert.equal(sink.created.length, 26, 'another object has its own bucket');
  clock.advance(300_000);
  record(obj(), warn('x', 'Later1'));
  record(obj(), warn('x', 'Later2'));
  await settle();
  assert.deepEqual(
    sink.created.slice(26).map((e) => e.reason),
    ['Later1'],
    'one token after 5 minutes'
  );
  // Repeats of an Event that got through are never filtered: they only grow its series.
  record(obj(), warn('x', 'Later1'));
  assert.equal(dropped.length, 16);
});

test('global cap: writes go out at globalQps after globalBurst, never all at once', async () => {
  const { clock, sink, rec, record } = setup({ globalQps: 5, globalBurst: 10 });
  for (let i = 0; i < 100; i++) {
    record(obj(i), warn());
  }
  await settle();
  assert.equal(sink.created.length, 10, 'the burst');
  clock.advance(1000);
  await settle();
  assert.ok(sink.created.length >= 14 && sink.created.length <= 16, `${sink.created.length} after 1 s at 5/s`);
  for (let s = 0; s < 20; s++) {
    clock.advance(1000);
    await settle();
  }
  assert.equal(sink.created.length, 100, 'all written eventually');
});

test('a full queue drops new Events (counted), while queued ones still aggregate', async () => {
  const { sink, rec, dropped, record } = setup({ globalQps: 1, globalBurst: 1, maxPending: 50 });
  for (let i = 0; i < 1000; i++) {
    record(obj(i), warn());
  }
  assert.equal(rec.pending, 50);
  assert.deepEqual(new Set(dropped), new Set(['queue_full']));
  assert.equal(dropped.length, 950);
  // A repeat of a queued Event is not a new one: it is counted in its series, nothing dropped.
  const before = dropped.length;
  record(obj(10), warn());
  assert.equal(dropped.length, before);
  await settle();
  assert.equal(sink.created.length, 1, 'one write per second');
});

test('failed writes are retried after retryDelayMs and given up after maxAttempts; a 403 at once', async () => {
  const { clock, sink, rec, dropped, record } = setup({ retryDelayMs: 10_000, maxAttempts: 3 });
  let failures = 0;
  sink.fail = () => (failures++ < 2 ? new ApiError(500, {}, 'boom') : undefined);
  record(obj(), warn());
  await settle();
  assert.equal(sink.created.length, 0);
  clock.advance(9_000);
  await settle();
  assert.equal(failures, 1, 'waits before retrying');
  clock.advance(1_000);
  await settle();
  clock.advance(10_000);
  await settle();
  assert.equal(sink.created.length, 1, 'third attempt succeeded');

  sink.fail = () => new ApiError(403, {}, 'forbidden');
  record(obj(1), warn());
  await settle();
  assert.deepEqual(dropped, ['write_failed']);
  assert.equal(rec.pending, 0);
});

test('a series whose Event is gone (event TTL) is written anew', async () => {
  const { clock, sink, rec, record } = setup({ seriesFlushMs: 1000 });
  record(obj(), warn());
  await settle();
  record(obj(), warn());
  sink.fail = (verb) => (verb === 'patch' ? new ApiError(404, {}, 'not found') : undefined);
  clock.advance(1000);
  await settle();
  assert.equal(sink.created.length, 2);
  assert.equal(sink.created[1].series?.count, 2);
});

test('after stop (leadership lost) nothing is recorded or written until start; stop(false) drops what waits', async () => {
  const { clock, sink, rec, record } = setup({ globalQps: 1, globalBurst: 1 });
  for (let i = 0; i < 5; i++) {
    record(obj(i), warn());
  }
  await settle();
  assert.equal(sink.created.length, 1);
  await rec.stop(false);
  clock.advance(60_000);
  await settle();
  assert.equal(sink.created.length, 1, 'nothing after stop');
  record(obj(9), warn());
  assert.equal(rec.pending, 0);
  rec.start();
  record(obj(9), warn());
  clock.advance(1000);
  await settle();
  assert.deepEqual(
    sink.created.map((e) => e.regarding.name),
    ['c-0', 'c-9']
  );
});

test('while the controllers have a backlog, writes wait for it to clear, for at most maxDeferMs of it', async () => {
  let backlog = true;
  const { clock, sink, rec, record } = setup({ deferWhile: () => backlog, maxDeferMs: 30_000 });
  for (let i = 0; i < 5; i++) {
    record(obj(i), warn());
  }
  for (let t = 0; t < 10; t++) {
    await settle();
    clock.advance(1000);
  }
  assert.equal(sink.created.length, 0, 'held back while keys wait');
  assert.equal(rec.pending, 5);
  backlog = false;
  clock.advance(200);
  await settle();
  assert.equal(sink.created.length, 5, 'written once the backlog is gone');

  // A backlog that does not clear holds them back for maxDeferMs, then they are written beside it.
  backlog = true;
  record(obj(10), warn());
  for (let t = 0; t < 29; t++) {
    await settle();
    clock.advance(1000);
  }
  await settle();
  assert.equal(sink.created.length, 5, 'still held 29 s into the backlog');
  for (let t = 0; t < 2; t++) {
    clock.advance(1000);
    await settle();
  }
  assert.equal(sink.created.length, 6, 'written after 30 s of a backlog that stays');
  record(obj(11), warn());
  await settle();
  assert.equal(sink.created.length, 7, 'and from then on while the same backlog lasts');
  await rec.stop(false);
});

test('held-back writes never make new Events drop: near maxPending they go out; a flush writes them at once', async () => {
  const { sink, rec, dropped, record } = setup({
    deferWhile: () => true,
    maxPending: 10,
    globalQps: 1000,
    globalBurst: 1000,
  });
  for (let i = 0; i < 8; i++) {
    record(obj(i), warn());
  }
  await settle();
  assert.equal(sink.created.length, 0, 'held back');
  for (let i = 8; i < 20; i++) {
    record(obj(i), warn());
    await settle();
  }
  assert.deepEqual(dropped, [], 'nothing dropped');
  assert.ok(rec.pending < 10, `${rec.pending} waiting`);
  await rec.flush();
  assert.equal(sink.created.length, 20);
  await rec.stop(false);
});

test('a graceful stop writes what waits, for at most drainTimeoutMs', async () => {
  const { clock, sink, rec, record } = setup({ drainTimeoutMs: 2000, globalQps: 1, globalBurst: 1 });
  for (let i = 0; i < 10; i++) {
    record(obj(i), warn());
  }
  const stopping = rec.stop();
  for (let i = 0; i < 5; i++) {
    await settle();
    clock.advance(1000);
  }
  await stopping;
  assert.ok(
    sink.created.length >= 2 && sink.created.length <= 4,
    `${sink.created.length} written before the drain timeout`
  );
  assert.equal(rec.pending, 0);
});

test('notes: control characters and bidi overrides escaped, cut to 1 KiB on a character boundary', () => {
  assert.equal(sanitizeNote('image "a\u202eb"\nnext\ttab\u0000'), 'image "a\\u202eb"\\u000anext\\u0009tab\\u0000');
  const long = sanitizeNote('é'.repeat(2000));
  assert.ok(Buffer.byteLength(long) <= 1024);
  assert.ok(long.endsWith('...'));
  assert.ok(!long.includes('\ufffd'));
  assert.equal(truncateUtf8('short', 10), 'short');
  assert.equal(truncateUtf8('😀😀😀', 9), '😀...');
});

test('reasons and actions are reduced to CamelCase identifiers; a record without them is dropped', async () => {
  const { sink, rec, dropped, record } = setup();
  record(obj(), { type: 'Warning', reason: 'Bad Reason\n!', action: 'Do-It', note: '' });
  record(obj(1), { type: 'Warning', reason: '!!!', action: 'A', note: '' });
  record({ metadata: { name: 'no-namespace' } }, { type: 'Warning', reason: 'R', action: 'A', note: '' });
  await settle();
  assert.deepEqual(
    sink.created.map((e) => [e.reason, e.action]),
    [['BadReason', 'DoIt']]
  );
  assert.deepEqual(dropped, ['invalid', 'invalid']);
});
