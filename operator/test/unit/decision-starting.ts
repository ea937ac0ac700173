// The decision while a Challenge starts: its place under the per-user quota, then its children (refused, conflicting,
// waited for, failing) until every Deployment is available and it is Running.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChallengeStatus } from '../../src/api/types.ts';
import { decide } from '../../src/controller/decision.ts';
import { getCondition } from '../../src/controller/status.ts';
import { OPTIONS, T0, available, challenge, definition, iso, pendingSince, waiting } from './decision-fixtures.ts';
import { decided, facts, ready } from './decision-decide.ts';

/** Registers the cases (decision.test.ts runs them with the others). */
export function startingCases(): void {
  describe('quota', () => {
    const capped = { ...OPTIONS, maxPerUser: 2 };

    test('a waiting instance asks for its position; at the cap it waits with QuotaExceeded', () => {
      assert.deepEqual(decide(facts({ challenge: challenge(), options: capped })), { need: 'quota' });
      const d = decided(facts({ challenge: challenge(), options: capped, quota: { ahead: 2 } }));
      assert.equal(d.row, 'quota-exceeded');
      assert.equal(ready(d)!.reason, 'QuotaExceeded');
      assert.equal(
        d.status!.currentStatus!.errorMsg,
        'quota exceeded: user alice has the maximum of 2 live instance(s); waiting for one to end'
      );
      assert.equal(getCondition(d.status, 'DefinitionResolved')!.status, 'True');
      assert.equal(d.requeueAfterMs, undefined, 'waits until a slot frees');
    });

    test('the message does not depend on the position in line (one leaving rewrites no other status)', () => {
      const third = decided(facts({ challenge: challenge(), options: capped, quota: { ahead: 4 } }));
      const second = decided(
        facts({ challenge: challenge(third.status), options: capped, quota: { ahead: 3 }, now: T0 + 1000 })
      );
      assert.deepEqual(second.status, third.status);
    });

    test('--quota-wait-timeout: requeued for the deadline, then deleted while still waiting', () => {
      const timed = { ...capped, quotaWaitTimeoutMs: 600_000 }; // created 60 s before T0
      const waits = decided(facts({ challenge: challenge(), options: timed, quota: { ahead: 2 } }));
      assert.equal(waits.row, 'quota-exceeded');
      assert.equal(waits.requeueAfterMs, 540_000);
      const expired = decided(
        facts({ challenge: challenge(waits.status), options: timed, quota: { ahead: 2 }, now: T0 + 540_000 })
      );
      assert.equal(expired.row, 'quota-wait-expired');
      assert.equal(expired.deleteChallenge, true);
      assert.equal(expired.status, undefined);
      // A slot free at the deadline: admitted, not deleted.
      assert.deepEqual(
        decide(facts({ challenge: challenge(waits.status), options: timed, quota: { ahead: 1 }, now: T0 + 540_000 })),
        { need: 'children' }
      );
    });

    test('below the cap it gets children; an admitted instance is not asked again', () => {
      assert.deepEqual(decide(facts({ challenge: challenge(), options: capped, quota: { ahead: 1 } })), {
        need: 'children',
      });
      assert.deepEqual(decide(facts({ challenge: challenge(pendingSince(T0)), options: capped })), {
        need: 'children',
      });
    });
  });

  describe('starting', () => {
    test('a child name taken by another Challenge: ChildNameConflict naming the object', () => {
      const d = decided(
        facts({
          challenge: challenge(),
          children: {
            unavailable: [],
            nameConflict: 'Deployment x already exists and belongs to Challenge other; it is left alone',
          },
        })
      );
      assert.equal(d.row, 'child-name-conflict');
      assert.equal(ready(d)!.reason, 'ChildNameConflict');
      assert.match(d.status!.currentStatus!.errorMsg!, /belongs to Challenge other/);
    });

    test('a definition the pod policy refuses: DefinitionRefused naming the field, deleted only with --delete-on-error', () => {
      const refused = {
        unavailable: [],
        definitionRefused:
          'definition d refused: spec.components[web].deployment.spec.template.spec.hostPID: host namespaces are refused',
      };
      const d = decided(facts({ challenge: challenge(), children: refused }));
      assert.equal(d.row, 'definition-refused');
      assert.equal(ready(d)!.reason, 'DefinitionRefused');
      assert.match(d.status!.currentStatus!.errorMsg!, /template\.spec\.hostPID/);
      assert.equal(d.status!.currentStatus!.state, 'Error');
      assert.equal(d.deleteChallenge, undefined);
    });

    test('children refused for good: ChildCreateFailed', () => {
      const d = decided(
        facts({ challenge: challenge(), children: { unavailable: [], refused: 'creating Deployment x: forbidden' } })
      );
      assert.equal(d.row, 'child-refused');
      assert.equal(ready(d)!.reason, 'ChildCreateFailed');
      assert.equal(d.status!.currentStatus!.errorMsg, 'creating Deployment x: forbidden');
    });

    test('every Deployment available: Running at once, requeued at the TTL (none for isOne)', () => {
      const d = decided(facts({ challenge: challenge(), children: available }));
      assert.equal(d.row, 'started');
      assert.equal(d.status!.currentStatus!.state, 'Running');
      assert.equal(d.status!.startedAt, iso(T0));
      assert.equal(d.status!.endpoint, 31000);
      assert.equal(d.requeueAfterMs, 1_800_000);
      const forever = decided(facts({ challenge: challenge(), definition: definition(true), children: available }));
      assert.equal(forever.status!.isOne, true);
      assert.equal(forever.requeueAfterMs, undefined);
    });

    test('waiting for Deployments: Pending since now, requeued at the pending timeout', () => {
      const d = decided(facts({ challenge: challenge(), children: waiting }));
      assert.equal(d.row, 'pending');
      assert.deepEqual(d.status!.currentStatus, { state: 'Pending', errorMsg: '' });
      assert.equal(d.status!.pendingSince, iso(T0));
      assert.equal(ready(d)!.reason, 'Pending');
      assert.equal(ready(d)!.message, 'waiting for deployment ch-7-alice-web-0123456789');
      assert.equal(d.requeueAfterMs, 300_000);
      assert.equal(d.retry, undefined);
    });

    test('still Pending later: pendingSince kept, requeue shrinks; at the timeout: PendingTimeout', () => {
      const later = decided(facts({ challenge: challenge(pendingSince(T0 - 100_000)), children: waiting }));
      assert.equal(later.status!.pendingSince, iso(T0 - 100_000));
      assert.equal(later.requeueAfterMs, 200_000);
      const late = decided(facts({ challenge: challenge(pendingSince(T0 - 300_000)), children: waiting }));
      assert.equal(late.row, 'pending-timeout');
      assert.match(late.status!.currentStatus!.errorMsg!, /^not available after 300s: deployment ch-7-alice-web-/);
    });

    test('past the pending timeout but every Deployment available (a reconcile that came late): Running', () => {
      // An operator's backlog (an event start) must not turn an instance that is up into Error PendingTimeout.
      const late = decided(facts({ challenge: challenge(pendingSince(T0 - 900_000)), children: available }));
      assert.equal(late.row, 'started');
      assert.equal(late.status!.currentStatus!.state, 'Running');
    });

    test('Pending without pendingSince: it gets one now, and times out one --pending-timeout later', () => {
      const bare: ChallengeStatus = { currentStatus: { state: 'Pending', errorMsg: '' }, observedGeneration: 1 };
      const first = decided(facts({ challenge: challenge(bare), children: waiting }));
      assert.equal(first.row, 'pending');
      assert.equal(first.status!.pendingSince, iso(T0), 'written, so the clock does not restart at every reconcile');
      const later = decided(facts({ challenge: challenge(first.status), children: waiting, now: T0 + 300_000 }));
      assert.equal(later.row, 'pending-timeout');
    });

    test("the original operator's states (None, Creating, Created, Terminating): adopted into Pending, then Running", () => {
      for (const state of ['None', 'Creating', 'Created', 'Terminating', '']) {
        const legacy = { currentStatus: { state, errorMsg: '' } } as unknown as ChallengeStatus;
        const d = decided(facts({ challenge: challenge(legacy), children: waiting }));
        assert.equal(d.row, 'pending', state);
        assert.deepEqual([d.status!.currentStatus!.state, d.status!.pendingSince], ['Pending', iso(T0)], state);
        const up = decided(facts({ challenge: challenge(legacy), children: available }));
        assert.deepEqual([up.row, up.status!.currentStatus!.state], ['started', 'Running'], state);
      }
    });

    test('a child that cannot be created for now: Pending with ChildCreateRetrying, retried with backoff', () => {
      const d = decided(
        facts({ challenge: challenge(), children: { unavailable: [], retrying: 'creating Service s: 503' } })
      );
      assert.equal(d.row, 'pending');
      assert.equal(ready(d)!.reason, 'ChildCreateRetrying');
      assert.equal(ready(d)!.message, 'waiting for creating Service s: 503');
      assert.equal(d.retry, true);
    });

    test('an image that cannot be pulled: Error with the kubelet reason', () => {
      const d = decided(
        facts({
          challenge: challenge(),
          children: {
            ...waiting,
            podFailure: { reason: 'ImagePullBackOff', message: 'pod p container a: ImagePullBackOff' },
          },
        })
      );
      assert.equal(d.row, 'pod-failed');
      assert.equal(ready(d)!.reason, 'ImagePullBackOff');
      assert.equal(d.status!.pendingSince, iso(T0));
    });
  });
}
