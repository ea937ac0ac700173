// --kube-api-qps / --kube-api-burst on the real apiserver: a burst of Challenges makes the operator want far more
// requests per second than allowed; the requests it sends (counted as they leave, sampled every 50 ms) never
// exceed the token bucket's bound, and everything still converges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Fixture, definitionSpec } from './harness.ts';

const QPS = 10;
const BURST = 5;
const N = 16;

test(`--kube-api-qps=${QPS} --kube-api-burst=${BURST}: requests per second stay under the flag while ${N} Challenges converge`, async (t) => {
  const f = await Fixture.create('ratelimit', { kubeApiQps: QPS, kubeApiBurst: BURST, maxConcurrentReconciles: 4 });
  t.after(() => f.close());
  await f.createDefinition('web', definitionSpec());
  const rest = f.manager!.rest;

  const samples: Array<[number, number]> = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push([performance.now(), rest.sent.total]);
      await sleep(50); // the sampling interval of the request rate
    }
  })();
  const names = Array.from({ length: N }, (_, i) => `c-${i}`);
  await Promise.all(names.map((name, i) => f.createChallenge(name, { user: `u-${i}`, definition: 'web' })));
  for (const name of names) {
    await f.waitForState(name, 'Pending', 120_000);
  }
  sampling = false;
  await sampler;

  const [t0, n0] = samples[0];
  const [t1, n1] = samples.at(-1)!;
  const sent = n1 - n0;
  // The token bucket's bound over any window: the burst, plus QPS per second of the window (+1 for sampling).
  let worst = { excess: -Infinity, window: '' };
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const [ta, na] = samples[i];
      const [tb, nb] = samples[j];
      const excess = nb - na - (BURST + (QPS * (tb - ta)) / 1000 + 1);
      if (excess > worst.excess) {
        worst = { excess, window: `${nb - na} requests in ${Math.round(tb - ta)} ms` };
      }
    }
  }
  const rate = (sent / (t1 - t0)) * 1000;
  process.stderr.write(
    `# ${sent} requests in ${((t1 - t0) / 1000).toFixed(1)} s (${rate.toFixed(1)}/s); tightest window: ${worst.window}\n`
  );
  assert.ok(worst.excess <= 0, `more than the bucket allows: ${worst.window}`);
  // The limit was what paced the work: ${N} Challenges need several requests each, far above QPS at once.
  assert.ok(sent >= 3 * N, `${sent} requests`);
  assert.ok(rate > QPS * 0.5, `the operator kept sending at about the limit (${rate.toFixed(1)}/s)`);
});
