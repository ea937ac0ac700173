import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { Informer } from '../../src/kube/informer.ts';
import type { ListWatch, WatchEventType } from '../../src/kube/list-watch.ts';
import type { KubeObject } from '../../src/api/types.ts';

// A scripted ListWatch: the real one is exercised against kube-apiserver in the integration suite; this one
// produces faults on demand (watch errors, 410, clean closes, failing lists) with a fake clock.
class ScriptedListWatch implements ListWatch<KubeObject> {
  items = new Map<string, KubeObject>();
  rv = 1;
  listCalls = 0;
  failLists = 0;
  watches: Array<{
    rv: string;
    emit: (t: WatchEventType, o: any) => void;
    done: (e: unknown) => void;
    aborted: boolean;
  }> = [];

  put(name: string, labels: Record<string, string> = {}): KubeObject {
    const o = { metadata: { name, namespace: 'ns', resourceVersion: String(++this.rv), labels } };
    this.items.set(name, o);
    return o;
  }

  async list() {
    this.listCalls++;
    if (this.failLists > 0) {
      this.failLists--;
      throw new Error('apiserver down');
    }
    return { items: [...this.items.values()], resourceVersion: String(this.rv) };
  }

  async watch(rv: string, emit: (t: WatchEventType, o: any) => void, done: (e: unknown) => void) {
    const w = { rv, emit, done, aborted: false };
    this.watches.push(w);
    return { abort: () => (w.aborted = true) };
  }

  get current() {
    return this.watches[this.watches.length - 1];
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function setup() {
  const clock = new FakeClock();
  const lw = new ScriptedListWatch();
  const inf = new Informer(lw, { name: 'test', clock, minBackoffMs: 100, maxBackoffMs: 1000 });
  const events: string[] = [];
  inf.addHandlers({
    onAdd: (o) => events.push(`add ${o.metadata.name}`),
    onUpdate: (_a, b) => events.push(`update ${b.metadata.name}`),
    onDelete: (o) => events.push(`delete ${o.metadata.name}`),
  });
  return { clock, lw, inf, events };
}

test('initial list fills the cache, marks synced and starts a watch at the list resourceVersion', async () => {
  const { lw, inf, events } = setup();
  lw.put('a');
  lw.put('b');
  inf.start();
  await inf.waitForSync();
  await tick();
  assert.deepEqual(events, ['add a', 'add b']);
  assert.equal(inf.size(), 2);
  assert.equal(lw.current.rv, '3');
  inf.stop();
});

test('watch events update the cache; a bookmark moves the resume point of the next watch', async () => {
  const { clock, lw, inf, events } = setup();
  inf.start();
  await inf.waitForSync();
  await tick();
  lw.current.emit('ADDED', lw.put('a'));
  lw.current.emit('MODIFIED', lw.put('a'));
  lw.current.emit('DELETED', { metadata: { name: 'a', namespace: 'ns', resourceVersion: '9' } });
  lw.current.emit('BOOKMARK', { metadata: { resourceVersion: '42' } });
  assert.deepEqual(events, ['add a', 'update a', 'delete a']);
  assert.equal(inf.size(), 0);
  // Clean server-side close after a while: resume from the bookmark, no relist.
  clock.advance(5000);
  lw.current.done(null);
  await tick();
  assert.equal(lw.listCalls, 1);
  assert.equal(lw.current.rv, '42');
  inf.stop();
});

test('a non-410 watch error relists after backoff and reports deletes the watch missed', async () => {
  const { clock, lw, inf, events } = setup();
  lw.put('a');
  lw.put('b');
  inf.start();
  await inf.waitForSync();
  await tick();
  const first = lw.current;
  first.done(new Error('connection reset'));
  lw.items.delete('b');
  lw.put('c');
  clock.advance(99);
  await tick();
  assert.equal(lw.listCalls, 1, 'waits for the backoff');
  clock.advance(1);
  await tick();
  await tick();
  assert.equal(lw.listCalls, 2);
  assert.deepEqual(events, ['add a', 'add b', 'add c', 'delete b']);
  assert.notEqual(lw.current, first, 'watch restarted');
  assert.equal(inf.stats.errors, 1);
  inf.stop();
});

test('410 Gone relists at once; other ERROR events back off', async () => {
  const { clock, lw, inf } = setup();
  inf.start();
  await inf.waitForSync();
  await tick();
  lw.current.emit('ERROR', { code: 410, message: 'too old resource version' });
  await tick();
  assert.equal(lw.listCalls, 2);
  await tick();
  lw.current.emit('ERROR', { code: 500, message: 'internal' });
  await tick();
  assert.equal(lw.listCalls, 2);
  clock.advance(100);
  await tick();
  assert.equal(lw.listCalls, 3);
  inf.stop();
});

test('failing lists retry with exponential backoff capped at the maximum', async () => {
  const { clock, lw, inf } = setup();
  lw.failLists = 5;
  inf.start();
  const waits: number[] = [];
  for (let i = 0; i < 5; i++) {
    await tick();
    const before = lw.listCalls;
    let waited = 0;
    while (lw.listCalls === before) {
      clock.advance(50);
      waited += 50;
      await tick();
    }
    waits.push(waited);
  }
  assert.deepEqual(waits, [100, 200, 400, 800, 1000]);
  await inf.waitForSync();
  assert.ok(inf.hasSynced());
  inf.stop();
});

test('a watch that closes immediately is treated as a failure, not a hot loop', async () => {
  const { lw, inf } = setup();
  inf.start();
  await inf.waitForSync();
  await tick();
  lw.current.done(null);
  await tick();
  assert.equal(lw.watches.length, 1, 'no immediate re-watch');
  assert.equal(inf.stats.errors, 1);
  inf.stop();
});

test('indexes follow updates and deletes', async () => {
  const { lw, inf } = setup();
  inf.addIndex('user', (o) => (o.metadata.labels?.user ? [o.metadata.labels.user] : []));
  lw.put('a', { user: 'alice' });
  inf.start();
  await inf.waitForSync();
  await tick();
  assert.deepEqual(
    inf.byIndex('user', 'alice').map((o) => o.metadata.name),
    ['a']
  );
  lw.current.emit('MODIFIED', lw.put('a', { user: 'bob' }));
  assert.deepEqual(inf.byIndex('user', 'alice'), []);
  assert.deepEqual(
    inf.byIndex('user', 'bob').map((o) => o.metadata.name),
    ['a']
  );
  lw.current.emit('DELETED', lw.items.get('a'));
  assert.deepEqual(inf.byIndex('user', 'bob'), []);
  inf.stop();
});

test('resync replays every cached object as an update', async () => {
  const clock = new FakeClock();
  const lw = new ScriptedListWatch();
  lw.put('a');
  const inf = new Informer(lw, { name: 't', clock, resyncMs: 1000 });
  const seen: string[] = [];
  inf.addHandlers({ onUpdate: (_o, n) => seen.push(n.metadata.name) });
  inf.start();
  await inf.waitForSync();
  clock.advance(1000);
  clock.advance(1000);
  assert.deepEqual(seen, ['a', 'a']);
  inf.stop();
});

test('a transform shapes what is cached from lists and watch events; handlers see the result', async () => {
  const clock = new FakeClock();
  const lw = new ScriptedListWatch();
  lw.put('a', { keep: 'yes', drop: 'no' });
  const slim = (o: KubeObject) => ({
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      resourceVersion: o.metadata.resourceVersion,
      labels: { keep: o.metadata.labels?.keep ?? '' },
    },
  });
  const inf = new Informer<KubeObject>(lw, { name: 't', clock, transform: slim });
  const added: KubeObject[] = [];
  inf.addHandlers({ onAdd: (o) => added.push(o), onUpdate: (_o, n) => added.push(n) });
  inf.start();
  await inf.waitForSync();
  await tick();
  lw.current.emit('MODIFIED', lw.put('a', { keep: 'still', drop: 'gone' }));
  assert.deepEqual(inf.get('ns/a')?.metadata.labels, { keep: 'still' });
  assert.deepEqual(
    added.map((o) => o.metadata.labels),
    [{ keep: 'yes' }, { keep: 'still' }]
  );
  inf.stop();
});

test('a large (re)list is handled in slices: the event loop runs between them', async () => {
  const clock = new FakeClock();
  const lw = new ScriptedListWatch();
  for (let i = 0; i < 100; i++) {
    lw.put(`o${i}`);
  }
  const inf = new Informer(lw, { name: 't', clock, chunkSize: 10 });
  let turns = 0;
  let running = true;
  const spin = () => {
    turns++;
    if (running) {
      setImmediate(spin);
    }
  };
  setImmediate(spin);
  inf.start();
  await inf.waitForSync();
  running = false;
  assert.equal(inf.size(), 100);
  assert.ok(turns >= 9, `event loop turns during the list: ${turns}`);
  // A relist that a stop() interrupts leaves the cache as it was and starts no watch.
  const watches = lw.watches.length;
  lw.items.clear();
  const relisting = (inf as unknown as { relist(): Promise<void> }).relist();
  inf.stop();
  await relisting;
  assert.equal(lw.watches.length, watches);
  assert.equal(inf.size(), 100);
});
