import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { SharedRender, acceptsGzip } from '../../src/metrics/shared-render.ts';

test('scrapes that arrive during a render share it; the next one after it renders again', async () => {
  let release!: () => void;
  let n = 0;
  const shared = new SharedRender(async (push) => {
    n++;
    push(`a${n}\n`);
    await new Promise<void>((r) => (release = r));
    push(Buffer.from(`b${n}\n`));
  });
  const waiting = Array.from({ length: 32 }, () => shared.get());
  await new Promise((r) => setImmediate(r));
  assert.equal(shared.renders, 1, 'one render for 32 concurrent scrapes');
  release();
  const bodies = (await Promise.all(waiting)).map((t) => t.text());
  assert.deepEqual(new Set(bodies), new Set(['a1\nb1\n']));
  const next = shared.get();
  await new Promise((r) => setImmediate(r));
  release();
  assert.equal((await next).text(), 'a2\nb2\n', 'a later scrape gets a fresh render');
  assert.equal(shared.renders, 2);
});

test('a failed render fails the scrapes that shared it, and the next scrape renders again', async () => {
  let fail = true;
  const shared = new SharedRender(async (push) => {
    if (fail) {
      throw new Error('boom');
    }
    push('ok\n');
  });
  await assert.rejects(Promise.all([shared.get(), shared.get()]), /boom/);
  fail = false;
  const text = await shared.get();
  assert.equal(text.text(), 'ok\n');
  assert.equal(gunzipSync(Buffer.concat(await text.gzipped())).toString(), 'ok\n');
  assert.equal(await text.gzipped(), await text.gzipped(), 'gzipped once per render');
});

test('Accept-Encoding: gzip unless refused', () => {
  assert.ok(acceptsGzip('gzip'));
  assert.ok(acceptsGzip('deflate, gzip;q=0.5'));
  assert.ok(acceptsGzip('*'));
  assert.ok(!acceptsGzip('gzip;q=0'));
  assert.ok(!acceptsGzip('identity'));
  assert.ok(!acceptsGzip(undefined));
});
