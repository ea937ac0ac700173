// The decision while a Challenge runs (availability, its TTL), and deciding again on what was written changes nothing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/controller/decision.ts';
import { T0, available, challenge, definition, running, waiting } from './decision-fixtures.ts';
import { decided, facts, ready } from './decision-decide.ts';

/** Registers the cases (decision.test.ts runs them with the others). */
export function runningCases(): void {
  describe('running', () => {
    test('Ready follows availability; requeued at the TTL', () => {
      const ok = decided(facts({ challenge: challenge(running()), children: available }));
      assert.equal(ok.row, 'running-available');
      assert.equal(ready(ok)!.status, 'True');
      assert.equal(ok.requeueAfterMs, 1_800_000 - 60_000);
      const degraded = decided(facts({ challenge: challenge(running()), children: waiting }));
      assert.equal(degraded.row, 'running-degraded');
      assert.equal(degraded.status!.currentStatus!.state, 'Running');
      assert.equal(ready(degraded)!.reason, 'Degraded');
      const retrying = decided(
        facts({ challenge: challenge(running()), children: { unavailable: [], retrying: 'creating Service s: 503' } })
      );
      assert.equal(retrying.row, 'running-child-retrying');
      assert.equal(retrying.retry, true);
    });

    test('TTL over: deleted without touching children; not for isOne', () => {
      const d = decided(facts({ challenge: challenge(running(T0 - 1_800_000)) }));
      assert.equal(d.row, 'ttl-expired');
      assert.equal(d.deleteChallenge, true);
      assert.equal(d.status, undefined);
      assert.deepEqual(decide(facts({ challenge: challenge(running(T0 - 1_800_000)), definition: definition(true) })), {
        need: 'children',
      });
    });
  });

  test('deciding again on the written status changes nothing (one write, then quiet)', () => {
    const first = decided(facts({ challenge: challenge(), children: waiting }));
    const again = decided(facts({ challenge: challenge(first.status), now: T0 + 5000, children: waiting }));
    assert.deepEqual(again.status, first.status);
    const up = decided(facts({ challenge: challenge(first.status), now: T0 + 6000, children: available }));
    const upAgain = decided(facts({ challenge: challenge(up.status), now: T0 + 7000, children: available }));
    assert.deepEqual(upAgain.status, up.status);
  });
}
