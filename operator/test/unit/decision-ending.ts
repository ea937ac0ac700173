// The decision at the end of a Challenge's life: its deletion (children first, then the finalizer), and the errors
// that stay or heal (a terminal Error kept, a recoverable one decided again, missing labels, a missing definition).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FINALIZER, type ChallengeStatus } from '../../src/api/types.ts';
import { decide } from '../../src/controller/decision.ts';
import { getCondition } from '../../src/controller/status.ts';
import { OPTIONS, T0, challenge, errorWith, iso, running } from './decision-fixtures.ts';
import { decided, facts, ready } from './decision-decide.ts';

/** Registers the cases (decision.test.ts runs them with the others). */
export function endingCases(): void {
  describe('deletion', () => {
    const deleting = (finalizers = [FINALIZER], status: ChallengeStatus = running()) =>
      challenge(status, { deletionTimestamp: iso(T0 - 200_000), finalizers });

    test('our finalizer gone: nothing to do, nothing written', () => {
      const d = decided(facts({ challenge: deleting([]) }));
      assert.equal(d.row, 'released');
      assert.equal(d.status, undefined);
    });

    test('asks for the children to be deleted first', () => {
      assert.deepEqual(decide(facts({ challenge: deleting() })), { need: 'cleanup' });
    });

    test('children remaining: Deleted with CleanupBlocked naming them, re-checked at most every 30 s', () => {
      const d = decided(facts({ challenge: deleting(), cleanup: { remaining: ['deployment a (finalizers: x/y)'] } }));
      assert.equal(d.row, 'cleanup-blocked');
      assert.equal(d.status!.currentStatus!.state, 'Deleted');
      const blocked = getCondition(d.status, 'CleanupBlocked')!;
      assert.equal(blocked.reason, 'ChildrenRemaining');
      assert.match(blocked.message, /waiting for 1 child\(ren\) to go away: deployment a \(finalizers: x\/y\)/);
      assert.equal(ready(d)!.reason, 'Deleting');
      assert.equal(d.requeueAfterMs, 30_000); // 200 s after deletion: capped
      assert.equal(d.removeFinalizer, undefined);
    });

    test('a failing delete is named, and a fresh deletion is re-checked after 1 s', () => {
      const ch = challenge(running(), { deletionTimestamp: iso(T0), finalizers: [FINALIZER] });
      const d = decided(
        facts({ challenge: ch, cleanup: { remaining: ['service b'], deleteError: 'deleting service b: boom' } })
      );
      assert.equal(getCondition(d.status, 'CleanupBlocked')!.reason, 'DeleteFailed');
      assert.match(getCondition(d.status, 'CleanupBlocked')!.message, /^deleting service b: boom; waiting for 1/);
      assert.equal(d.requeueAfterMs, 1000);
    });

    test('children gone: Deleted, CleanupBlocked cleared, finalizer removed, the error message kept', () => {
      const status: ChallengeStatus = {
        ...errorWith('PendingTimeout'),
        conditions: [
          ...errorWith('PendingTimeout').conditions!,
          {
            type: 'CleanupBlocked',
            status: 'True',
            reason: 'ChildrenRemaining',
            message: 'm',
            lastTransitionTime: iso(T0),
          },
        ],
      };
      const d = decided(facts({ challenge: deleting([FINALIZER], status), cleanup: { remaining: [] } }));
      assert.equal(d.row, 'cleaned-up');
      assert.deepEqual(d.status!.currentStatus, { state: 'Deleted', errorMsg: 'x' });
      assert.equal(getCondition(d.status, 'CleanupBlocked'), undefined);
      assert.equal(ready(d)!.reason, 'Deleted');
      assert.equal(d.removeFinalizer, true);
    });
  });

  describe('errors that stay, errors that heal', () => {
    test('a terminal Error is kept as it is; deleted only with --delete-on-error', () => {
      const kept = decided(facts({ challenge: challenge({ ...errorWith('PendingTimeout'), observedGeneration: 1 }) }));
      assert.equal(kept.row, 'error-kept');
      assert.deepEqual(kept.status, { ...errorWith('PendingTimeout'), observedGeneration: 1 });
      assert.equal(kept.deleteChallenge, undefined);
      const deleted = decided(
        facts({ challenge: challenge(errorWith('CrashLoopBackOff')), options: { ...OPTIONS, deleteOnError: true } })
      );
      assert.equal(deleted.deleteChallenge, true);
    });

    test('a recoverable Error (QuotaExceeded) is decided again from scratch', () => {
      assert.deepEqual(decide(facts({ challenge: challenge(errorWith('QuotaExceeded')) })), { need: 'children' });
    });

    test('missing labels are named', () => {
      const d = decided(facts({ challenge: challenge(undefined, { labels: {} }) }));
      assert.equal(d.row, 'missing-labels');
      assert.equal(d.status!.currentStatus!.state, 'Error');
      assert.equal(ready(d)!.reason, 'MissingLabels');
      assert.equal(ready(d)!.message, 'missing label apps.hexactf.io/challengeId, apps.hexactf.io/user');
    });

    test('no definition: a new instance is an Error, a Running one keeps running until its TTL', () => {
      const fresh = decided(facts({ challenge: challenge(), definition: undefined }));
      assert.equal(fresh.row, 'definition-not-found');
      assert.equal(ready(fresh)!.reason, 'DefinitionNotFound');
      assert.equal(getCondition(fresh.status, 'DefinitionResolved')!.status, 'False');

      const up = decided(facts({ challenge: challenge(running(T0 - 60_000)), definition: undefined }));
      assert.equal(up.row, 'running-without-definition');
      assert.equal(up.status!.currentStatus!.state, 'Running');
      assert.equal(getCondition(up.status, 'DefinitionResolved')!.reason, 'NotFound');
      assert.equal(up.requeueAfterMs, 1_800_000 - 60_000);
    });
  });
}
