// The state table as a pure function: every row reached from plain facts, no apiserver.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FINALIZER, type Challenge, type ChallengeStatus } from '../../src/api/types.ts';
import { decide } from '../../src/controller/decision.ts';
import type { Decision, Facts } from '../../src/controller/facts.ts';
import { STATE_TABLE } from '../../src/controller/state-table.ts';
import { getCondition } from '../../src/controller/status.ts';
import {
  OPTIONS,
  T0,
  available,
  challenge,
  definition,
  errorWith,
  iso,
  pendingSince,
  running,
  waiting,
} from './decision-fixtures.ts';

const seen = new Set<string>();
function facts(f: Partial<Facts> & { challenge: Challenge }): Facts {
  return { definition: definition(), now: T0, options: OPTIONS, ...f };
}
function decided(f: Facts): Decision {
  const d = decide(f);
  assert.ok(!('need' in d), `expected a decision, got need ${'need' in d ? d.need : ''}`);
  seen.add(d.row);
  return d;
}
const ready = (d: Decision) => getCondition(d.status, 'Ready');

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
    assert.deepEqual(decide(facts({ challenge: challenge(pendingSince(T0)), options: capped })), { need: 'children' });
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

after(() => {
  const unreached = STATE_TABLE.map((r) => r.id).filter((id) => !seen.has(id));
  assert.deepEqual(unreached, [], 'every row of the state table is decided by some test');
});
