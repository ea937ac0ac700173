// What a reconcile decides, as a pure function of what it observed (facts.ts): the Challenge (with its status),
// its definition, the clock, the user's quota position and what became of its children. No I/O here: the
// reconciler gathers the facts, asks decide(), and carries the decision out (children, status write, delete,
// requeue, the Events below). The rows are in state-table.ts; this file runs them and picks the Events.
import type { ChallengeStatus } from '../api/types.ts';
import type { ChallengeEvent, Decision, Facts, Observation } from './facts.ts';
import { STATE_TABLE } from './state-table.ts';
import { COND_DELETING, COND_READY, getCondition } from './status.ts';

/**
 * The first matching row of STATE_TABLE, with the Events it records. When that row reads an observation the facts
 * do not carry yet, the answer is an Observation: the reconciler makes it (which may converge or delete children)
 * and asks again.
 */
export function decide(f: Facts): Decision | Observation {
  for (const row of STATE_TABLE) {
    if (!row.match(f)) {
      continue;
    }
    if (row.needs && f[row.needs] === undefined) {
      return row.needs === 'children' && admits(f) ? { need: row.needs, admit: true } : { need: row.needs };
    }
    if (row.also && !row.also(f)) {
      continue;
    }
    const draft: ChallengeStatus = structuredClone(f.challenge.status ?? {});
    draft.observedGeneration = f.challenge.metadata.generation;
    const { status, ...rest } = row.decide(f, draft);
    const out: Decision = { row: row.id, ...rest, status: status === null ? undefined : (status ?? draft) };
    const events = eventsOf(f, out);
    if (events.length) {
      out.events = events;
    }
    for (const k of Object.keys(out) as Array<keyof Decision>) {
      if (out[k] === undefined || out[k] === false) {
        delete out[k];
      }
    }
    return out;
  }
  throw new Error('STATE_TABLE has no row for these facts'); // unreachable: the last rows match anything
}

/**
 * Getting children takes a quota slot under --max-per-user. The reconciler notes it in the same turn of the event
 * loop as the quota check that allowed it (no await in between), so the user's other reconciles count it before
 * the cache shows it.
 */
function admits(f: Facts): boolean {
  return f.options.maxPerUser > 0 && f.slotHeld === false;
}

/** Every Event a reconcile records, chosen here: what converging the children did, what the status write changed, why the Challenge is deleted. */
function eventsOf(f: Facts, d: Decision): ChallengeEvent[] {
  const events: ChallengeEvent[] = [];
  const { created = [], restored = [] } = f.children ?? {};
  if (created.length) {
    events.push({
      after: 'children',
      type: 'Normal',
      reason: 'ChildrenCreated',
      action: 'Create',
      note: `created ${created.join(', ')}`,
    });
  }
  if (restored.length) {
    events.push({
      after: 'children',
      type: 'Normal',
      reason: 'ChildrenRestored',
      action: 'Update',
      note: `restored ${restored.join(', ')} (changed or deleted by someone else)`,
    });
  }
  if (d.status) {
    events.push(...statusEvents(f.challenge.status ?? {}, d.status));
  }
  if (d.deleteChallenge) {
    events.push(deleteEvent(f, d));
  }
  return events;
}

/**
 * Events for what a status write changes: an Error (its reason and message), a wait for a quota slot or a child
 * that cannot be created yet, a cleanup that cannot finish. The same message again joins the same Event's series.
 */
function statusEvents(before: ChallengeStatus, after: ChallengeStatus): ChallengeEvent[] {
  const events: ChallengeEvent[] = [];
  const written = (type: ChallengeEvent['type'], reason: string, action: string, note: string) =>
    events.push({ after: 'status', type, reason, action, note });
  const ready = getCondition(after, COND_READY);
  const wasReady = getCondition(before, COND_READY);
  const changed = ready && (ready.reason !== wasReady?.reason || ready.message !== wasReady?.message);
  const state = after.currentStatus?.state;
  if (changed && ready.reason === 'QuotaExceeded') {
    written('Normal', 'QuotaWait', 'Admit', ready.message ?? '');
  } else if (changed && state === 'Error') {
    written('Warning', ready.reason ?? 'Error', 'Reconcile', ready.message ?? '');
  } else if (changed && ready.reason === 'ChildCreateRetrying') {
    written('Warning', 'ChildCreateRetrying', 'Create', ready.message ?? '');
  }
  const blocked = getCondition(after, COND_DELETING);
  const wasBlocked = getCondition(before, COND_DELETING);
  if (blocked?.status === 'True' && blocked.message !== wasBlocked?.message) {
    written('Warning', 'CleanupBlocked', 'Delete', blocked.message ?? '');
  }
  return events;
}

/** Why the Challenge is deleted: its TTL, a quota wait that lasted too long, or a terminal error (--delete-on-error). */
function deleteEvent(f: Facts, d: Decision): ChallengeEvent {
  if (d.row === 'ttl-expired') {
    return {
      after: 'delete',
      type: 'Normal',
      reason: 'TTLExpired',
      action: 'Delete',
      note: d.note ?? 'challenge TTL expired; deleting',
    };
  }
  if (d.row === 'quota-wait-expired') {
    const note = d.note ?? 'waited too long for a quota slot; deleting';
    return { after: 'delete', type: 'Normal', reason: 'QuotaWaitExpired', action: 'Delete', note };
  }
  const errorMsg = (d.status ?? f.challenge.status)?.currentStatus?.errorMsg ?? 'terminal error';
  return {
    after: 'delete',
    type: 'Warning',
    reason: 'DeletedOnError',
    action: 'Delete',
    note: `${errorMsg}; deleting (--delete-on-error)`,
  };
}
