// Per-user admission: an admission counts as a held slot until the cache shows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Challenge } from '../../src/api/types.ts';
import { FakeClock } from '../../src/clock.ts';
import { Admission } from '../../src/controller/admission.ts';

const ch = (name: string, state?: 'Pending' | 'Running', deleting = false): Challenge => ({
  metadata: { name, namespace: 'ns', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { definition: 'web' },
  status: state ? { currentStatus: { state } } : undefined,
});

test('an admission holds a slot until the cache shows it, the Challenge goes, or a minute passes', () => {
  const clock = new FakeClock();
  const a = new Admission(clock);
  const waiting = ch('c1');
  assert.equal(a.holds(waiting), false);
  a.admit(waiting);
  assert.equal(a.holds(waiting), true, 'before the watch shows the admission');
  a.observe(ch('c1')); // an unrelated event (e.g. our finalizer) still shows it waiting
  assert.equal(a.holds(waiting), true);
  a.observe(ch('c1', 'Pending'));
  assert.equal(a.holds(waiting), false, 'the cache shows it now; the cached state speaks for itself');
  assert.equal(a.holds(ch('c1', 'Pending')), true);

  a.admit(ch('c2'));
  a.observe(ch('c2'), true);
  assert.equal(a.holds(ch('c2')), false, 'deleted');

  a.admit(ch('c3'));
  clock.advance(59_000);
  assert.equal(a.holds(ch('c3')), true);
  clock.advance(2_000);
  assert.equal(a.holds(ch('c3')), false, 'forgotten after a minute without the cache catching up');
});
