import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { TokenBucket, rateLimiter, unlimited } from '../../src/kube/rate-limiter.ts';

const flush = async () => {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setImmediate(r));
  }
};

test('a full bucket lets `burst` requests through at once, then one per 1/qps, in arrival order', async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(10, 3, clock); // 10/s: one token per 100 ms
  const done: number[] = [];
  for (let i = 0; i < 6; i++) {
    void bucket.wait().then(() => done.push(i));
  }
  await flush();
  assert.deepEqual(done, [0, 1, 2]);
  clock.advance(99);
  await flush();
  assert.deepEqual(done, [0, 1, 2]);
  clock.advance(1);
  await flush();
  assert.deepEqual(done, [0, 1, 2, 3]);
  clock.advance(200);
  await flush();
  assert.deepEqual(done, [0, 1, 2, 3, 4, 5]);
});

test('an idle bucket refills up to burst, never beyond', async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(2, 2, clock);
  await bucket.wait();
  await bucket.wait();
  clock.advance(60_000); // a minute idle: still only 2 tokens
  const done: number[] = [];
  for (let i = 0; i < 3; i++) {
    void bucket.wait().then(() => done.push(i));
  }
  await flush();
  assert.deepEqual(done, [0, 1]);
  clock.advance(500);
  await flush();
  assert.deepEqual(done, [0, 1, 2]);
});

test('negative qps means no limit (client-go); zero or a burst below 1 is refused', () => {
  assert.equal(rateLimiter(-1, 0), unlimited);
  assert.throws(() => new TokenBucket(0, 10), /qps must be positive/);
  assert.throws(() => new TokenBucket(5, 0), /burst must be at least 1/);
});
