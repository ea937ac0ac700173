// Which Kubernetes Events a reconcile of a Challenge records (what `kubectl describe challenge` shows an
// organizer): children created, Running, every Error with its reason, quota waits, cleanup blocked, TTL expiry and
// deletions. Pure functions of what the reconciler decided and wrote; an Event is recorded once per change of what
// the Challenge shows (state, Ready reason), not once per reconcile, so a Challenge waiting for a quota slot has one
// QuotaExceeded Event for the whole wait.
import { CHALLENGES, apiVersionOf } from '../api/resources.ts';
import type { Challenge, ChallengeStatus } from '../api/types.ts';
import type { EventOccurrence, EventRegarding } from '../kube/event-recorder.ts';
import { COND_DEFINITION, COND_DELETING, COND_READY, getCondition } from './status.ts';

/** `reportingController` of the operator's Events. */
export const REPORTING_CONTROLLER = 'hexactf.io/challenge-operator';

/** Where the reconciler sends Events; a no-op with --record-events=false. */
export interface ChallengeEventSink {
  record(regarding: EventRegarding, occurrence: EventOccurrence): void;
}

export const noEvents: ChallengeEventSink = { record() {} };

export function regardingOf(ch: Challenge): EventRegarding {
  return {
    apiVersion: apiVersionOf(CHALLENGES),
    kind: CHALLENGES.kind,
    namespace: ch.metadata.namespace!,
    name: ch.metadata.name,
    uid: ch.metadata.uid ?? '',
    ...(ch.metadata.resourceVersion ? { resourceVersion: ch.metadata.resourceVersion } : {}),
  };
}

/** Ready reasons that are worth an Event of their own while the state stays the same. */
const WARNING_READY = new Set(['Degraded', 'ChildCreateRetrying']);

/** What was being done when an Error reason came up. */
const ERROR_ACTION: Record<string, string> = {
  DefinitionNotFound: 'Validate',
  MissingLabels: 'Validate',
  DefinitionRefused: 'Validate',
  QuotaExceeded: 'Admit',
  ChildCreateFailed: 'Create',
  ChildNameConflict: 'Create',
};

/** The Event for a status the reconciler wrote (`before` → `after`), if what it shows changed. */
export function statusEvent(before: ChallengeStatus | undefined, after: ChallengeStatus): EventOccurrence | undefined {
  const prevState = before?.currentStatus?.state;
  const state = after.currentStatus?.state;
  const blocked = getCondition(after, COND_DELETING);
  if (blocked && blocked.message !== getCondition(before, COND_DELETING)?.message) {
    return { type: 'Warning', reason: 'CleanupBlocked', action: 'Delete', note: blocked.message };
  }
  if (state === 'Running' && prevState !== 'Running') {
    return { type: 'Normal', reason: 'Running', action: 'Start', note: `every component is available${after.endpoint ? `; endpoint NodePort ${after.endpoint}` : ''}` };
  }
  const ready = getCondition(after, COND_READY);
  const prevReady = getCondition(before, COND_READY)?.reason;
  if (state === 'Error' && ready && (prevState !== 'Error' || prevReady !== ready.reason)) {
    return { type: 'Warning', reason: ready.reason, action: ERROR_ACTION[ready.reason] ?? 'Start', note: after.currentStatus?.errorMsg || ready.message };
  }
  if (state === 'Running') {
    const def = getCondition(after, COND_DEFINITION);
    if (def?.status === 'False' && getCondition(before, COND_DEFINITION)?.status !== 'False') {
      return { type: 'Warning', reason: 'DefinitionNotFound', action: 'Validate', note: `${def.message}; the running instance is kept` };
    }
  }
  if (!ready || ready.reason === prevReady) return undefined;
  if (WARNING_READY.has(ready.reason)) return { type: 'Warning', reason: ready.reason, action: ready.reason === 'Degraded' ? 'Start' : 'Create', note: ready.message };
  if (state === 'Running' && ready.reason === 'Available' && prevReady && WARNING_READY.has(prevReady)) {
    return { type: 'Normal', reason: 'Available', action: 'Start', note: ready.message };
  }
  return undefined;
}

/** The Event for a deletion the reconciler carried out, by the STATE_TABLE row that decided it. */
export function deletionEvent(row: string, ch: Challenge, ttlMs: number, quotaWaitMs: number): EventOccurrence {
  if (row === 'ttl-expired') return { type: 'Normal', reason: 'TTLExpired', action: 'Delete', note: `running longer than --challenge-ttl (${ttlMs / 1000}s); deleting` };
  if (row === 'quota-wait-expired') {
    return { type: 'Warning', reason: 'QuotaWaitExpired', action: 'Delete', note: `waited for a quota slot longer than --quota-wait-timeout (${quotaWaitMs / 1000}s); deleting` };
  }
  const reason = getCondition(ch.status, COND_READY)?.reason ?? 'Error';
  return { type: 'Normal', reason: 'DeletedOnError', action: 'Delete', note: `Error ${reason} with --delete-on-error; deleting` };
}

/** Children that a reconcile created or put back after someone changed them. */
export function childrenEvent(created: string[], restored: string[]): EventOccurrence[] {
  const out: EventOccurrence[] = [];
  if (created.length) out.push({ type: 'Normal', reason: 'ChildrenCreated', action: 'Create', note: `created ${created.join(', ')}` });
  if (restored.length) out.push({ type: 'Normal', reason: 'ChildrenRestored', action: 'Update', note: `restored ${restored.join(', ')}` });
  return out;
}
