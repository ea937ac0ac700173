// The keeper's own decisions, on a FakeClock. The store is an in-memory stand-in so that a read can fail a set number
// of times; the real ConfigMap round trip (SIGKILL, deletion while down, the chart's RBAC) is proven on the real
// apiserver in test/integration/series-state.test.ts and test/chart/rbac.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@hexactf/testing/wait';
import { FakeClock } from '../../src/clock.ts';
import { silentLogger, type Logger } from '../../src/log.ts';
import type { Challenge } from '../../src/api/types.ts';
import { ChallengeCollector } from '../../src/metrics/challenge-collector.ts';
import { SeriesKeeper } from '../../src/metrics/series-keeper.ts';
import { decodeSnapshot, encodeSnapshot, type SeriesStateStore } from '../../src/metrics/series-state.ts';

const RETENTION = 60_000;

class MemoryStore implements SeriesStateStore {
  readonly where = 'memory';
  bytes: Buffer | undefined;
  writes = 0;
  private failReads: number;

  constructor(failReads: number) {
    this.failReads = failReads;
  }

  async read(): Promise<Buffer | undefined> {
    if (this.failReads-- > 0) {
      throw new Error('503 Service Unavailable');
    }
    return this.bytes;
  }

  async write(bytes: Buffer): Promise<void> {
    this.bytes = bytes;
    this.writes++;
  }
}

/** Lets a write started by a timer finish (compression runs off the event loop). */
async function writesReach(store: MemoryStore, n: number): Promise<void> {
  await waitFor(`${n} writes`, async () => store.writes >= n, 1000, 5).catch(() => {}); // the test asserts what came
}

const challenge = (namespace: string, name: string): Challenge => ({
  metadata: { name, namespace, labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': name } },
  spec: { definition: 'web' },
});

function setup(live: Challenge[], o: { failReads?: number; namespaces?: string[]; log?: Logger } = {}) {
  const clock = new FakeClock();
  const cache = new Map(live.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c]));
  const collector = new ChallengeCollector(
    { challenges: () => cache.values(), get: (k) => cache.get(k), definitions: () => [], definition: () => undefined },
    clock,
    RETENTION
  );
  const store = new MemoryStore(o.failReads ?? 0);
  const keeper = new SeriesKeeper(collector, store, clock, o.log ?? silentLogger, {
    flushIntervalMs: 5000,
    retentionMs: RETENTION,
    namespaces: o.namespaces ?? [],
  });
  const exported = () =>
    collector
      .render()
      .split('\n')
      .filter((l) => l.startsWith('challenge_resource_status{'))
      .map((l) => l.replace(/^.*challenge_name="([^"]+)".*namespace="([^"]+)".* (\d)$/, '$2/$1=$3'))
      .sort();
  return { clock, cache, collector, store, keeper, exported };
}

const stored = async (
  s: { tombstones?: Array<[string, string, number]>; live?: Array<[string, string]> },
  savedAt: number
) =>
  (
    await encodeSnapshot({
      savedAt,
      tombstones: (s.tombstones ?? []).map(([namespace, name, deletedAt]) => ({
        namespace,
        name,
        challengeId: '1',
        user: name,
        deletedAt,
      })),
      live: (s.live ?? []).map(([namespace, name]) => ({ namespace, name, challengeId: '1', user: name })),
    })
  ).bytes;

test('restore: tombstones within the retention, and a Deleted for each stored live Challenge the cache lacks; only its namespaces', async () => {
  const t = setup([challenge('ctf', 'kept')], { namespaces: ['ctf'] });
  const now = t.clock.now();
  t.store.bytes = await stored(
    {
      tombstones: [
        ['ctf', 'recent', now - 30_000],
        ['ctf', 'old', now - RETENTION],
        ['other', 'theirs', now - 1000],
      ],
      live: [
        ['ctf', 'kept'],
        ['ctf', 'vanished'],
        ['other', 'not-mine'],
      ],
    },
    now - 40_000
  );
  await t.keeper.restore();
  assert.deepEqual(t.exported(), ['ctf/kept=0', 'ctf/recent=2', 'ctf/vanished=2']);
  // The restored tombstone keeps its deletion time: gone 30 s later; the vanished one a full retention after now.
  t.clock.advance(30_000);
  assert.deepEqual(t.exported(), ['ctf/kept=0', 'ctf/vanished=2']);
  t.clock.advance(30_000);
  assert.deepEqual(t.exported(), ['ctf/kept=0']);
});

test('restore: a failing read is tried again; after the last attempt the operator goes on without', async () => {
  const t = setup([], {});
  t.store.bytes = await stored({ live: [['ctf', 'vanished']] }, 0);
  const warnings: string[] = [];
  const flaky = setup([], { failReads: 2 });
  flaky.store.bytes = t.store.bytes;
  await flaky.keeper.restore();
  assert.deepEqual(flaky.exported(), ['ctf/vanished=2']);

  const down = setup([], { failReads: 3, log: { ...silentLogger, warn: (m) => warnings.push(m) } });
  down.store.bytes = t.store.bytes;
  await down.keeper.restore();
  assert.deepEqual(down.exported(), []);
  assert.deepEqual(warnings, ['series state not restored: cannot read it']);
});

test('writes: only when something changed, at most every flush interval, and when the oldest stored tombstone expires', async () => {
  const t = setup([challenge('ctf', 'a')]);
  t.keeper.start();
  t.clock.advance(5000);
  await writesReach(t.store, 1);
  assert.equal(t.store.writes, 0, 'nothing changed');

  const gone = challenge('ctf', 'b');
  t.collector.onDeleted(gone);
  t.keeper.markDirty();
  t.clock.advance(4999);
  await writesReach(t.store, 1);
  assert.equal(t.store.writes, 0, 'not before the interval');
  t.clock.advance(1);
  await writesReach(t.store, 1);
  assert.equal(t.store.writes, 1);
  const first = decodeSnapshot(t.store.bytes!).snapshot;
  assert.deepEqual([first.tombstones.map((x) => x.name), first.live?.map((x) => x.name)], [['b'], ['a']]);

  // No change, but the tombstone expires: written once more, without it.
  t.clock.advance(RETENTION);
  await writesReach(t.store, 2);
  assert.equal(t.store.writes, 2);
  assert.deepEqual(decodeSnapshot(t.store.bytes!).snapshot.tombstones, []);
  t.clock.advance(20_000);
  await writesReach(t.store, 3);
  assert.equal(t.store.writes, 2, 'then quiet again');
  await t.keeper.stop(true);
});
