// How many times the operator writes a new Challenge's status on its way to Running, seen through a watch (every
// version the apiserver stores): once Pending, with the endpoint already in it (the Service's nodePort comes back
// in the apply's answer; waiting for the Service's watch event cost a second write), then once Running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Watch } from '@kubernetes/client-node';
import type { Challenge, ChallengeStatus } from '../../src/api/types.ts';
import { stableJson } from '../../src/controller/status.ts';
import { Fixture, definitionSpec, waitFor } from './harness.ts';

const N = 5;

test('a new Challenge gets two status writes: Pending with its endpoint, then Running', async (t) => {
  const f = await Fixture.create('status-writes');
  t.after(() => f.close());
  await f.createDefinition('web', definitionSpec());
  const written = new Map<string, ChallengeStatus[]>();
  const watch = await new Watch(f.kc).watch(
    `/apis/apps.hexactf.io/v1alpha1/namespaces/${f.ns}/challenges`,
    {},
    (type, ch: Challenge) => {
      const seen = written.get(ch.metadata.name) ?? [];
      written.set(ch.metadata.name, seen);
      const status = ch.status ?? {};
      if (type !== 'DELETED' && Object.keys(status).length && stableJson(seen.at(-1) ?? {}) !== stableJson(status)) {
        seen.push(status);
      }
    },
    () => undefined
  );
  t.after(() => watch.abort());
  const names = Array.from({ length: N }, (_, k) => `c-${k}`);
  await Promise.all(names.map((name, k) => f.createChallenge(name, { user: `u${k}`, definition: 'web' })));
  await waitFor('all Pending', async () =>
    names.every((n) => written.get(n)?.at(-1)?.currentStatus?.state === 'Pending')
  );
  // Until the operator is idle again after the last one: a write the Running ones trigger would be seen.
  await f.settledAfter(async () => {
    for (const name of names) {
      await f.markAllAvailable(name, 1);
    }
  });
  await waitFor('all Running', async () =>
    names.every((n) => written.get(n)?.at(-1)?.currentStatus?.state === 'Running')
  );
  for (const name of names) {
    const versions = written.get(name)!;
    assert.deepEqual(
      versions.map((s) => [s.currentStatus?.state, typeof s.endpoint]),
      [
        ['Pending', 'number'],
        ['Running', 'number'],
      ],
      `${name}: ${JSON.stringify(versions)}`
    );
  }
});
