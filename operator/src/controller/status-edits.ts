// How the state table's rows edit the draft status: Error and Ready conditions, the definition's condition,
// entering Pending.
import { timeMs, type ChallengeStatus } from '../api/types.ts';
import type { Facts } from './facts.ts';
import { gen, isOne, isoOf, state } from './row-conditions.ts';
import { COND_DEFINITION, COND_READY, setCondition } from './status.ts';

export function setError(f: Facts, s: ChallengeStatus, reason: string, message: string): void {
  s.currentStatus = { state: 'Error', errorMsg: message.slice(0, 1024) };
  setCondition(
    s,
    { type: COND_READY, status: 'False', reason, message, observedGeneration: s.observedGeneration },
    isoOf(f)
  );
}

export function setReady(
  f: Facts,
  s: ChallengeStatus,
  status: 'True' | 'False',
  reason: string,
  message: string
): void {
  setCondition(s, { type: COND_READY, status, reason, message, observedGeneration: gen(f) }, isoOf(f));
}

export function definitionFound(f: Facts, s: ChallengeStatus): void {
  setCondition(
    s,
    {
      type: COND_DEFINITION,
      status: 'True',
      reason: 'Found',
      message: `definition ${f.challenge.spec.definition}`,
      observedGeneration: gen(f),
    },
    isoOf(f)
  );
  s.isOne = isOne(f);
}

export function definitionMissing(f: Facts, s: ChallengeStatus): void {
  setCondition(
    s,
    {
      type: COND_DEFINITION,
      status: 'False',
      reason: 'NotFound',
      message: `definition ${f.challenge.spec.definition} not found`,
      observedGeneration: gen(f),
    },
    isoOf(f)
  );
}

/** Status fields every admitted instance gets from its children and definition. */
export function childrenSeen(f: Facts, s: ChallengeStatus): void {
  definitionFound(f, s);
  s.endpoint = f.children!.endpoint ?? s.endpoint;
}

/**
 * Entering or staying in Pending (restarts pendingSince on entry). A Pending status without pendingSince (written by
 * hand, or by a version before it existed) gets one now, so its timeout runs; the original HexaCTF operator's
 * states (None, Creating, Created, ...) are not ours, so such an instance enters Pending here like a new one, with
 * a full --pending-timeout from its adoption (when it started waiting is not known).
 */
export function pending(f: Facts, s: ChallengeStatus): void {
  childrenSeen(f, s);
  if (state(f) !== 'Pending' || timeMs(f.challenge.status?.pendingSince) === undefined) {
    s.pendingSince = isoOf(f);
  }
  s.currentStatus = { state: 'Pending', errorMsg: '' };
}
