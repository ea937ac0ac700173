// Where a waiting Challenge stands among its user's live instances (--max-per-user).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Challenge } from '../../src/api/types.ts';
import { oldestWaiting, quotaAhead } from '../../src/controller/quota.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
function ch(name: string, ageS: number, state?: string, reason?: string, deleting = false): Challenge {
  return {
    metadata: {
      name,
      namespace: 'ns',
      creationTimestamp: new Date(T0 - ageS * 1000).toISOString(),
      ...(deleting ? { deletionTimestamp: new Date(T0).toISOString() } : {}),
    },
    spec: { definition: 'web' },
    status: state
      ? {
          currentStatus: { state: state as any },
          conditions: reason ? [{ type: 'Ready', status: 'False', reason, message: '', lastTransitionTime: '' }] : [],
        }
      : undefined,
  };
}

test('admitted instances and older waiting ones count before; younger waiting ones and deleted ones do not', () => {
  const me = ch('me', 10);
  const all = [
    me,
    ch('running', 1, 'Running'),
    ch('pending', 1, 'Pending'),
    ch('kept-error', 1, 'Error', 'PendingTimeout'),
    ch('older-waiting', 20, 'Error', 'QuotaExceeded'),
    ch('younger-waiting', 5, 'Error', 'QuotaExceeded'),
    ch('going', 30, 'Running', undefined, true),
  ];
  assert.equal(quotaAhead(me, all), 4);
});

test('same creation second: ordered by namespace/name', () => {
  const a = ch('a', 10);
  const b = ch('b', 10);
  assert.equal(quotaAhead(a, [a, b]), 0);
  assert.equal(quotaAhead(b, [a, b]), 1);
});

test('the first in line is the oldest live Challenge holding no slot', () => {
  const all = [
    ch('running', 50, 'Running'),
    ch('younger', 5, 'Error', 'QuotaExceeded'),
    ch('older', 20, 'Error', 'QuotaExceeded'),
    ch('going', 30, 'Error', 'QuotaExceeded', true),
    ch('new', 1),
  ];
  assert.equal(oldestWaiting(all)?.metadata.name, 'older');
  assert.equal(oldestWaiting([ch('running', 50, 'Running')]), undefined);
  // An admission the cache does not show yet takes it out of the line.
  assert.equal(
    oldestWaiting(all, (c) => c.metadata.name === 'older' || c.status?.currentStatus?.state === 'Running')?.metadata
      .name,
    'younger'
  );
});
