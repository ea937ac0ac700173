// The state table: what a reconcile decides, row by row; the first row that matches wins (decision.ts runs it).
// operator/README.md shows the same table, generated from it (scripts/state-table.ts); a unit test fails when the
// two differ. To add a state or a rule, add a row here (and its test in test/unit/decision.test.ts).
import { FINALIZER, timeMs } from '../api/types.ts';
import type { Facts, Row } from './facts.ts';
import { COND_DELETING, RECOVERABLE_REASONS, removeCondition, setCondition } from './status.ts';
import { identity } from './children.ts';
import {
  admitted,
  deleting,
  isOne,
  isoOf,
  missingLabels,
  pendingSinceMs,
  pendingTimedOut,
  quotaWaitLeftMs,
  readyReason,
  state,
  ttlLeftMs,
  waitingFor,
  gen,
} from './row-conditions.ts';
import { childrenSeen, definitionFound, definitionMissing, pending, setError, setReady } from './status-edits.ts';

const ttlRequeue = (f: Facts) => ({ requeueAfterMs: ttlLeftMs(f) });
const onErrorDelete = (f: Facts) => ({ deleteChallenge: f.options.deleteOnError });

/** A stuck deletion is re-checked sooner at first, then at most every 30 s (child events also trigger a check). */
function deletionRecheckMs(f: Facts): number {
  const since = f.now - (timeMs(f.challenge.metadata.deletionTimestamp) ?? f.now);
  return Math.min(30_000, Math.max(1000, since / 4));
}

export const STATE_TABLE: readonly Row[] = [
  {
    id: 'released',
    state: 'any',
    when: 'deletionTimestamp set, our finalizer already removed',
    becomes: 'unchanged',
    then: 'nothing',
    match: (f) => deleting(f) && !(f.challenge.metadata.finalizers ?? []).includes(FINALIZER),
    decide: () => ({ status: null }),
  },
  {
    id: 'cleanup-blocked',
    state: 'any',
    when: 'deletionTimestamp set; after deleting its children, some are still there',
    becomes: 'Deleted, `CleanupBlocked=True` (`ChildrenRemaining` or `DeleteFailed`), Ready `Deleting`',
    then: 'check again after 1 s growing to 30 s (child events also trigger a check)',
    needs: 'cleanup',
    match: deleting,
    also: (f) => f.cleanup!.remaining.length > 0,
    decide: (f, s) => {
      const { remaining, deleteError } = f.cleanup!;
      s.currentStatus = { state: 'Deleted', errorMsg: f.challenge.status?.currentStatus?.errorMsg ?? '' };
      setCondition(
        s,
        {
          type: COND_DELETING,
          status: 'True',
          reason: deleteError ? 'DeleteFailed' : 'ChildrenRemaining',
          message: `${deleteError ? `${deleteError}; ` : ''}waiting for ${remaining.length} child(ren) to go away: ${remaining.join('; ')}`,
          observedGeneration: gen(f),
        },
        isoOf(f)
      );
      setReady(f, s, 'False', 'Deleting', 'deletion in progress');
      return { requeueAfterMs: deletionRecheckMs(f) };
    },
  },
  {
    id: 'cleaned-up',
    state: 'any',
    when: 'deletionTimestamp set; its children are gone',
    becomes: 'Deleted, Ready `Deleted`',
    then: 'remove the finalizer (the apiserver then removes the Challenge)',
    needs: 'cleanup',
    match: deleting,
    decide: (f, s) => {
      s.currentStatus = { state: 'Deleted', errorMsg: f.challenge.status?.currentStatus?.errorMsg ?? '' };
      removeCondition(s, COND_DELETING);
      setReady(f, s, 'False', 'Deleted', 'children removed');
      return { removeFinalizer: true };
    },
  },
  {
    id: 'error-kept',
    state: 'Error',
    when: 'a reason that does not heal by itself',
    becomes: 'unchanged',
    then: 'delete the Challenge with `--delete-on-error`',
    match: (f) => state(f) === 'Error' && !RECOVERABLE_REASONS.has(readyReason(f)),
    decide: onErrorDelete,
  },
  {
    id: 'missing-labels',
    state: 'any',
    when: 'label `apps.hexactf.io/challengeId` or `apps.hexactf.io/user` missing',
    becomes: 'Error `MissingLabels`',
    then: 're-checked on every event',
    match: (f) => missingLabels(f).length > 0,
    decide: (f, s) => {
      setError(f, s, 'MissingLabels', `missing label ${missingLabels(f).join(', ')}`);
      return {};
    },
  },
  {
    id: 'ttl-expired',
    state: 'Running',
    when: '`--challenge-ttl` after `startedAt` has passed, definition not `isOne`',
    becomes: 'unchanged',
    then: 'delete the Challenge',
    match: (f) => state(f) === 'Running' && (ttlLeftMs(f) ?? 1) <= 0,
    decide: () => ({ status: null, deleteChallenge: true, note: 'challenge TTL expired; deleting' }),
  },
  {
    id: 'running-without-definition',
    state: 'Running',
    when: 'definition not found',
    becomes: 'Running, `DefinitionResolved=False`',
    then: 'keep its children; requeue at the TTL',
    match: (f) => state(f) === 'Running' && !f.definition,
    decide: (f, s) => {
      definitionMissing(f, s);
      return ttlRequeue(f);
    },
  },
  {
    id: 'definition-not-found',
    state: 'not Running',
    when: 'definition not found',
    becomes: 'Error `DefinitionNotFound`',
    then: 're-checked when the definition appears',
    match: (f) => !f.definition,
    decide: (f, s) => {
      definitionMissing(f, s);
      setError(f, s, 'DefinitionNotFound', `definition ${f.challenge.spec.definition} not found`);
      return {};
    },
  },
  {
    id: 'quota-wait-expired',
    state: 'not Pending or Running',
    when: 'would wait for a quota slot, created more than `--quota-wait-timeout` ago',
    becomes: 'unchanged',
    then: 'delete the Challenge',
    needs: 'quota',
    match: (f) => !admitted(f) && f.options.maxPerUser > 0 && f.options.quotaWaitTimeoutMs > 0,
    also: (f) => f.quota!.ahead >= f.options.maxPerUser && (quotaWaitLeftMs(f) ?? 1) <= 0,
    decide: () => ({
      status: null,
      deleteChallenge: true,
      note: 'waited for a quota slot longer than --quota-wait-timeout; deleting',
    }),
  },
  {
    id: 'quota-exceeded',
    state: 'not Pending or Running',
    when: '`--max-per-user` set and that many live instances of the user come first',
    becomes: 'Error `QuotaExceeded` (the message does not change while it waits)',
    then: 're-checked when a slot frees and it is first in line; requeue at `--quota-wait-timeout`',
    needs: 'quota',
    match: (f) => !admitted(f) && f.options.maxPerUser > 0,
    also: (f) => f.quota!.ahead >= f.options.maxPerUser,
    decide: (f, s) => {
      definitionFound(f, s);
      const user = identity(f.challenge).user;
      // No position in the message: a queue position would rewrite every waiting status whenever one leaves.
      setError(
        f,
        s,
        'QuotaExceeded',
        `quota exceeded: user ${user} has the maximum of ${f.options.maxPerUser} live instance(s); waiting for one to end`
      );
      return { requeueAfterMs: quotaWaitLeftMs(f) };
    },
  },
  {
    id: 'definition-refused',
    state: 'any',
    when: 'the definition asks for a field the pod/Service policy refuses (host access, privileges, ...)',
    becomes: 'Error `DefinitionRefused`, the field named',
    then: 'nothing is created; delete the Challenge with `--delete-on-error`',
    needs: 'children',
    match: () => true,
    also: (f) => f.children!.definitionRefused !== undefined,
    decide: (f, s) => {
      definitionFound(f, s);
      setError(f, s, 'DefinitionRefused', f.children!.definitionRefused!);
      return onErrorDelete(f);
    },
  },
  {
    id: 'child-name-conflict',
    state: 'any',
    when: "a child's name is taken by another Challenge's (or nobody's) object",
    becomes: 'Error `ChildNameConflict`',
    then: 'the other object is left alone; delete the Challenge with `--delete-on-error`',
    needs: 'children',
    match: () => true,
    also: (f) => f.children!.nameConflict !== undefined,
    decide: (f, s) => {
      definitionFound(f, s);
      setError(f, s, 'ChildNameConflict', f.children!.nameConflict!);
      return onErrorDelete(f);
    },
  },
  {
    id: 'child-refused',
    state: 'any',
    when: "the apiserver refused a child for good (400/403/422), or there is no room for it (the namespace's ResourceQuota, a full node-port range)",
    becomes: 'Error `ChildCreateFailed` (`NamespaceQuotaExceeded`, `NodePortsExhausted` for want of room)',
    then: 'delete the Challenge with `--delete-on-error`',
    needs: 'children',
    match: () => true,
    also: (f) => f.children!.refused !== undefined,
    decide: (f, s) => {
      definitionFound(f, s);
      setError(f, s, f.children!.refusedReason ?? 'ChildCreateFailed', f.children!.refused!);
      return onErrorDelete(f);
    },
  },
  {
    id: 'running-child-retrying',
    state: 'Running',
    when: 'a child cannot be created for now (5xx)',
    becomes: 'Running, Ready `ChildCreateRetrying`',
    then: 'retry with backoff',
    needs: 'children',
    match: (f) => state(f) === 'Running',
    also: (f) => f.children!.retrying !== undefined,
    decide: (f, s) => {
      childrenSeen(f, s);
      setReady(f, s, 'False', 'ChildCreateRetrying', f.children!.retrying!);
      return { retry: true };
    },
  },
  {
    id: 'running-degraded',
    state: 'Running',
    when: 'a Deployment is not available',
    becomes: 'Running, Ready `Degraded`',
    then: 'requeue at the TTL',
    needs: 'children',
    match: (f) => state(f) === 'Running',
    also: (f) => f.children!.unavailable.length > 0,
    decide: (f, s) => {
      childrenSeen(f, s);
      setReady(f, s, 'False', 'Degraded', `unavailable: ${f.children!.unavailable.join(', ')}`);
      return ttlRequeue(f);
    },
  },
  {
    id: 'running-available',
    state: 'Running',
    when: 'every Deployment available',
    becomes: 'Running, Ready `Available`',
    then: 'requeue at the TTL',
    needs: 'children',
    match: (f) => state(f) === 'Running',
    decide: (f, s) => {
      childrenSeen(f, s);
      setReady(f, s, 'True', 'Available', 'every component is available');
      return ttlRequeue(f);
    },
  },
  {
    id: 'started',
    state: 'not Running',
    when: 'every Deployment available, no child waiting to be created',
    becomes: 'Running (`startedAt` = now), Ready `Available`',
    then: 'requeue at the TTL',
    needs: 'children',
    match: () => true,
    also: (f) => f.children!.unavailable.length === 0 && f.children!.retrying === undefined,
    decide: (f, s) => {
      childrenSeen(f, s);
      s.currentStatus = { state: 'Running', errorMsg: '' };
      s.startedAt = isoOf(f);
      setReady(f, s, 'True', 'Available', 'every component is available');
      return { requeueAfterMs: f.options.challengeTtlMs && !isOne(f) ? f.options.challengeTtlMs : undefined };
    },
  },
  {
    id: 'pod-failed',
    state: 'not Running',
    when: "a container waits with `ErrImagePull`, `ImagePullBackOff`, `CrashLoopBackOff`, `InvalidImageName` or `CreateContainerConfigError`, a pod failed, or the namespace's ResourceQuota refuses a Deployment's pods",
    becomes: 'Error with that reason (`PodFailed` for a failed pod, `NamespaceQuotaExceeded` for the quota)',
    then: 'delete the Challenge with `--delete-on-error`',
    needs: 'children',
    match: () => true,
    also: (f) => f.children!.podFailure !== undefined,
    decide: (f, s) => {
      pending(f, s);
      setError(f, s, f.children!.podFailure!.reason, f.children!.podFailure!.message);
      return onErrorDelete(f);
    },
  },
  {
    id: 'pending-timeout',
    state: 'Pending',
    when: 'Pending for `--pending-timeout`',
    becomes: 'Error `PendingTimeout`',
    then: 'delete the Challenge with `--delete-on-error`',
    needs: 'children',
    match: pendingTimedOut,
    decide: (f, s) => {
      pending(f, s);
      setError(
        f,
        s,
        'PendingTimeout',
        `not available after ${Math.round(f.options.pendingTimeoutMs / 1000)}s: ${waitingFor(f.children!)}`
      );
      return onErrorDelete(f);
    },
  },
  {
    id: 'pending',
    state: 'not Running',
    when: 'otherwise (children created, waiting for Deployments)',
    becomes: 'Pending (`pendingSince` set on entry, or when missing), Ready `Pending` or `ChildCreateRetrying`',
    then: 'requeue at the pending timeout; retry with backoff if a child is waiting to be created',
    needs: 'children',
    match: () => true,
    decide: (f, s) => {
      pending(f, s);
      const retrying = f.children!.retrying !== undefined;
      setReady(f, s, 'False', retrying ? 'ChildCreateRetrying' : 'Pending', `waiting for ${waitingFor(f.children!)}`);
      const timeout = f.options.pendingTimeoutMs;
      return { requeueAfterMs: timeout > 0 ? pendingSinceMs(f) + timeout - f.now : undefined, retry: retrying };
    },
  },
];
