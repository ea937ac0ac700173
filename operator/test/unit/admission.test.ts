// Per-user admission: one at a time per user, and an admission counts until the cache shows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type { Challenge } from '../../src/api/types.ts';
import { FakeClock } from '../../src/clock.ts';
import { Admission } from '../../src/controller/admission.ts';

const ch = (name: string, state?: 'Pending' | 'Running', deleting = false): Challenge => ({
  metadata: { name, namespace: 'ns', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { definition: 'web' },
  status: state ? { currentStatus: { state } } : undefined,
});

test('calls for one user run one after another; other users do not wait', async () => {
  const a = new Admission(new FakeClock());
  const log: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const first = a.serialise('amy', async () => {
    log.push('amy-1 start');
    await gate;
    log.push('amy-1 end');
  });
  const second = a.serialise('amy', async () => void log.push('amy-2'));
  const other = a.serialise('bob', async () => void log.push('bob'));
  await other;
  await tick();
  assert.deepEqual(log, ['amy-1 start', 'bob'], 'amy-2 waits for amy-1, bob does not');
  release();
  await Promise.all([first, second]);
  assert.deepEqual(log, ['amy-1 start', 'bob', 'amy-1 end', 'amy-2']);
});

test('a failed call does not block the next one of that user', async () => {
  const a = new Admission(new FakeClock());
  await assert.rejects(a.serialise('amy', async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await a.serialise('amy', async () => 7), 7);
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
