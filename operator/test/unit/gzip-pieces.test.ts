import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { gzipPieces, piece } from '../../src/metrics/gzip-pieces.ts';

test('pieces compressed one by one make one gzip member that a checking reader takes (CRC and length)', async () => {
  const big = Array.from(
    { length: 3000 },
    (_, i) => `challenge_resource_status{challenge_name="c-${i}",username="ü-${i % 7}"} ${i % 4}\n`
  ).join('');
  const pieces = [
    piece('# HELP x y\n'),
    piece(''),
    piece(big),
    piece(Buffer.from('tail ✓\n')),
    piece(big.slice(0, 100_000)),
  ];
  const parts = await gzipPieces(pieces);
  const expected = Buffer.concat(pieces.map((p) => p.plain));
  const body = Buffer.concat(parts);
  assert.deepEqual(gunzipSync(body), expected);
  assert.ok(body.length < expected.length / 5, `compressed to ${body.length} of ${expected.length} bytes`);
  // A corrupted trailer is refused: the CRC and length really describe the text.
  const bad = Buffer.from(body);
  bad[bad.length - 5] ^= 1;
  assert.throws(() => gunzipSync(bad));
});

test('a piece is compressed once: the next render reuses its segment', async () => {
  const p = piece('a 1\n'.repeat(1000));
  const first = await gzipPieces([p]);
  const segment = p.deflated;
  assert.ok(segment);
  const second = await gzipPieces([piece('# header\n'), p]);
  assert.equal(p.deflated, segment);
  assert.equal(second[2], first[1], 'the same segment buffer');
  assert.equal(gunzipSync(Buffer.concat(second)).toString(), '# header\n' + 'a 1\n'.repeat(1000));
});

test('no pieces is an empty text', async () => {
  assert.equal(gunzipSync(Buffer.concat(await gzipPieces([]))).length, 0);
});
