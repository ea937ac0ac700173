// The incrementally kept lines give the answers quota.ts defines by scanning a user's whole pile, through every
// kind of change the cache can show: creates, admissions, errors, deletions, user label changes, recent
// admissions the cache does not show yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL_USER, objectKey, type Challenge } from '../../src/api/types.ts';
import { FakeClock } from '../../src/clock.ts';
import { Admission } from '../../src/controller/admission.ts';
import { oldestWaiting, quotaAhead } from '../../src/controller/quota.ts';
import { QuotaLines } from '../../src/controller/quota-line.ts';
import { seededRandom } from '@hexactf/testing/random';

const STATES: Array<[string | undefined, string | undefined]> = [
  [undefined, undefined],
  ['Pending', undefined],
  ['Running', undefined],
  ['Error', 'QuotaExceeded'],
  ['Error', 'PendingTimeout'],
  ['Error', 'DefinitionNotFound'],
];

function challenge(
  name: string,
  namespace: string,
  user: string,
  createdS: number,
  stateIx: number,
  deleting: boolean
): Challenge {
  const [state, reason] = STATES[stateIx];
  return {
    metadata: {
      name,
      namespace,
      labels: { [LABEL_USER]: user },
      // Whole seconds as the apiserver writes them, so many share a second and the tie-break by key matters.
      creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, createdS)).toISOString().replace('.000Z', 'Z'),
      ...(deleting ? { deletionTimestamp: '2026-01-02T00:00:00Z' } : {}),
    },
    spec: { definition: 'web' },
    status: state
      ? {
          currentStatus: { state: state as never },
          conditions: reason ? [{ type: 'Ready', status: 'False', reason, message: '', lastTransitionTime: '' }] : [],
        }
      : undefined,
  };
}

test('the lines answer as quota.ts does over random creates, state changes, user changes and deletions', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rnd = seededRandom(seed);
    const pick = (n: number) => Math.floor(rnd() * n);
    const clock = new FakeClock();
    const cache = new Map<string, Challenge>();
    const lines = new QuotaLines((k) => cache.get(k));
    const admission = new Admission(clock);
    const users = ['alice', 'bob', 'carol'];
    const created = new Map<string, number>();
    for (let step = 0; step < 400; step++) {
      const name = `c-${pick(40)}`;
      const namespace = pick(2) ? 'ns-a' : 'ns-b';
      const key = `${namespace}/${name}`;
      const old = cache.get(key);
      const r = rnd();
      if (old && r < 0.15) {
        cache.delete(key);
        lines.observe(old, undefined);
        admission.observe(old, true);
      } else if (old && r < 0.25) {
        admission.admit(old); // the reconciler's admission, before the cache shows it
      } else if (old && r < 0.3) {
        clock.advance(61_000); // admissions the cache never showed expire
      } else {
        if (!created.has(key)) {
          created.set(key, pick(5));
        }
        const next = challenge(
          name,
          namespace,
          users[pick(users.length)],
          created.get(key)!,
          pick(STATES.length),
          !!old && rnd() < 0.1
        );
        cache.set(key, next);
        lines.observe(old, next);
        admission.observe(next);
      }
      for (const user of users) {
        const mine = [...cache.values()].filter((c) => c.metadata.labels?.[LABEL_USER] === user);
        const want = oldestWaiting(mine, admission.holds);
        assert.equal(lines.first(user, admission.holds), want, `seed ${seed} step ${step} first of ${user}`);
        for (const c of mine) {
          for (const limit of [2, Infinity]) {
            assert.equal(
              lines.ahead(c, admission, limit),
              Math.min(limit, quotaAhead(c, mine, admission.holds)),
              `seed ${seed} step ${step} ahead of ${objectKey(c)} (limit ${limit})`
            );
          }
        }
      }
    }
  }
});

test('a line of 20,000 of one user: where one stands and who is first take no scan of the pile', () => {
  const cache = new Map<string, Challenge>();
  const lines = new QuotaLines((k) => cache.get(k));
  const admission = new Admission(new FakeClock());
  for (let i = 0; i < 20_000; i++) {
    const c = challenge(`c-${i}`, 'ns', 'the-one', Math.floor(i / 700), i < 3 ? 1 : 3, false);
    cache.set(objectKey(c), c);
    lines.observe(undefined, c);
  }
  // Counted by cache reads: a scan would read all 20,000 objects.
  let reads = 0;
  const counting = new QuotaLines((k) => (reads++, cache.get(k)));
  for (const c of cache.values()) {
    counting.observe(undefined, c);
  }
  const last = cache.get('ns/c-19999')!;
  assert.equal(counting.ahead(last, admission, 3), 3);
  assert.equal(counting.ahead(last, admission), 19_999);
  assert.equal(counting.first('the-one', admission.holds)?.metadata.name, 'c-10', 'the oldest second, first by key');
  assert.ok(reads <= 1, `cache reads: ${reads}`);
  assert.equal(lines.ahead(last, admission), 19_999);
});
