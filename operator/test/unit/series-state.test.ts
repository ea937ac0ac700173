// The stored series state: round trip, the size bound (live set dropped first, then the oldest tombstones), and
// refusal of what the operator did not write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import {
  decodeSnapshot,
  encodeSnapshot,
  type SeriesIdentity,
  type StoredTombstone,
} from '../../src/metrics/series-state.ts';

const id = (i: number, ns = 'ctf'): SeriesIdentity => ({
  namespace: ns,
  name: `web-${i}-player${i}`,
  challengeId: `web-${i % 50}`,
  user: `player${i}`,
});
const tomb = (i: number, deletedAt: number): StoredTombstone => ({ ...id(i), deletedAt });

test('a snapshot reads back as written, odd label values included', async () => {
  const odd = { namespace: 'ctf', name: 'n', challengeId: 'a"b\\c\nd', user: 'ü🙂' };
  const snap = { savedAt: 1234, tombstones: [tomb(1, 1000), { ...odd, deletedAt: 1100 }], live: [id(2), odd] };
  const { bytes, liveKept, tombstonesKept } = await encodeSnapshot(snap);
  assert.equal(liveKept, true);
  assert.equal(tombstonesKept, 2);
  const back = decodeSnapshot(bytes);
  assert.equal(back.skipped, 0);
  assert.equal(back.snapshot.savedAt, 1234);
  assert.deepEqual(back.snapshot.live, snap.live);
  assert.deepEqual(
    new Set(back.snapshot.tombstones.map((t) => JSON.stringify(t))),
    new Set(snap.tombstones.map((t) => JSON.stringify(t)))
  );
});

test('too large: the live set goes first, then the oldest tombstones; never over the bound', async () => {
  const live = Array.from({ length: 20_000 }, (_, i) => id(i));
  const tombstones = Array.from({ length: 2000 }, (_, i) => tomb(100_000 + i, i));
  const all = await encodeSnapshot({ savedAt: 0, tombstones, live });
  assert.equal(all.liveKept, true, `20,000 live fit in ${all.bytes.length} bytes`);

  const bound = 16 * 1024;
  const small = await encodeSnapshot({ savedAt: 0, tombstones, live }, bound);
  assert.ok(small.bytes.length <= bound, `${small.bytes.length} bytes`);
  assert.equal(small.liveKept, false);
  const kept = decodeSnapshot(small.bytes).snapshot;
  assert.equal(kept.live, undefined);
  assert.equal(kept.tombstones.length, small.tombstonesKept);
  assert.ok(small.tombstonesKept > 0 && small.tombstonesKept < tombstones.length);
  // The newest are the ones kept.
  assert.equal(Math.min(...kept.tombstones.map((t) => t.deletedAt)), tombstones.length - small.tombstonesKept);
});

test('refuses what it did not write, with a reason; skips single malformed rows', () => {
  assert.throws(() => decodeSnapshot(Buffer.from('{"v":1}')), /not gzip'd JSON/);
  assert.throws(() => decodeSnapshot(gzipSync('{"v":2,"tombstones":[],"live":null}')), /unknown format 2/);
  assert.throws(() => decodeSnapshot(gzipSync('{"v":1,"tombstones":{},"live":null}')), /tombstones is not a list/);
  assert.throws(() => decodeSnapshot(gzipSync('{"v":1,"tombstones":[],"live":"x"}')), /live is neither/);
  const rows = {
    v: 1,
    savedAt: 5,
    tombstones: [
      ['ctf', 'a', '1', 'u', 10],
      ['ctf', 'b', '1', 'u', 'soon'],
      ['', 'c', '1', 'u', 10],
      ['ctf', 'd', 1, 'u', 10],
      ['ctf', 'x'.repeat(5000), '1', 'u', 10],
    ],
    live: [['ctf', 'e', '1', 'u'], 'ctf/f', ['ctf', '', '1', 'u']],
  };
  const { snapshot, skipped } = decodeSnapshot(gzipSync(JSON.stringify(rows)));
  assert.deepEqual(snapshot.tombstones, [{ namespace: 'ctf', name: 'a', challengeId: '1', user: 'u', deletedAt: 10 }]);
  assert.deepEqual(snapshot.live, [{ namespace: 'ctf', name: 'e', challengeId: '1', user: 'u' }]);
  assert.equal(skipped, 6);
});
