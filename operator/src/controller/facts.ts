// The vocabulary of a reconcile's decision: the facts it observed (facts.ts), the decision the state table makes of
// them, and the Events a decision records. Types only, shared by the table (state-table.ts), decide()
// (decision.ts), the reconciler that gathers the facts and the child sync that observes the children.
import type { Challenge, ChallengeDefinition, ChallengeStatus } from '../api/types.ts';

export interface DecisionOptions {
  pendingTimeoutMs: number;
  challengeTtlMs: number;
  maxPerUser: number;
  /** A Challenge still waiting for a quota slot this long after its creation is deleted (0 = waits forever). */
  quotaWaitTimeoutMs: number;
  deleteOnError: boolean;
}

/** How many of the user's live instances count before this one (admitted ones, then earlier waiting ones). */
interface QuotaFacts {
  ahead: number;
}

/** What converging the children (server-side apply of each desired child) left behind, plus the cache's view. */
export interface ChildrenFacts {
  /** The pod/Service policy refused the definition (pod-policy.ts): nothing was created. */
  definitionRefused?: string;
  /** A child's name is taken by an object of another Challenge (or of no Challenge); it is left alone. */
  nameConflict?: string;
  /** The apiserver refused a child for good (400/403/422). */
  refused?: string;
  /** Why, when it is the cluster's capacity (capacity.ts): NamespaceQuotaExceeded or NodePortsExhausted. */
  refusedReason?: string;
  /** A child could not be created for now (5xx, timeout); retried with backoff. */
  retrying?: string;
  /** Deployments not (yet) available, as "deployment <name>". */
  unavailable: string[];
  /** A container of the instance's pods waits for a reason that will not fix itself, or a pod failed. */
  podFailure?: { reason: string; message: string };
  /** NodePort of the first Service port. */
  endpoint?: number;
  /** Children this reconcile created or put back ("Deployment name"), for the ChildrenCreated/Restored Events. */
  created?: string[];
  restored?: string[];
}

/** What deleting the children of a deleted Challenge left behind. */
export interface CleanupFacts {
  /** Children still there, with their finalizers ("deployment x (finalizers: a)"). */
  remaining: string[];
  deleteError?: string;
}

export interface Facts {
  challenge: Challenge;
  definition?: ChallengeDefinition;
  now: number;
  options: DecisionOptions;
  /** Observations that cost work; decide() asks for each one only when a row needs it. */
  quota?: QuotaFacts;
  children?: ChildrenFacts;
  cleanup?: CleanupFacts;
  /**
   * Under --max-per-user: whether the Challenge holds a quota slot (the cache shows it admitted, or this operator
   * admitted it moments ago). Left out, nobody is admitted (no quota, or a test that does not care).
   */
  slotHeld?: boolean;
}

type Need = 'quota' | 'children' | 'cleanup';

/**
 * decide()'s answer when a row reads an observation the facts do not carry yet. `admit`: getting the children
 * takes a quota slot, which the reconciler notes before it makes the observation (see admission.ts).
 */
export interface Observation {
  need: Need;
  admit?: boolean;
}

/** A Kubernetes Event about the Challenge, recorded once the step it reports has gone through. */
export interface ChallengeEvent {
  /** children: converging the children (already done when the decision is made); status: the status write; delete: the Challenge's deletion. */
  after: 'children' | 'status' | 'delete';
  type: 'Normal' | 'Warning';
  reason: string;
  action: string;
  note: string;
}

export interface Decision {
  /** The STATE_TABLE row that decided. */
  row: string;
  /** The status to write (only if it differs from the current one); undefined leaves the Challenge alone. */
  status?: ChallengeStatus;
  requeueAfterMs?: number;
  /** A child failed for now: after the status write, retry with backoff. */
  retry?: boolean;
  deleteChallenge?: boolean;
  removeFinalizer?: boolean;
  /** Said at info level when the decision is carried out. */
  note?: string;
  /** The Events to record, in order (left out when there are none). */
  events?: ChallengeEvent[];
}

export interface Row {
  id: string;
  /** README columns. */
  state: string;
  when: string;
  becomes: string;
  then: string;
  /** An observation this row reads in `also`; decide() asks for it once `match` holds. */
  needs?: Need;
  /** The condition on the Challenge, its definition and the clock. */
  match(f: Facts): boolean;
  /** A further condition on what `needs` observed. */
  also?(f: Facts): boolean;
  decide(
    f: Facts,
    draft: ChallengeStatus
  ): Omit<Decision, 'row' | 'status' | 'events'> & { status?: ChallengeStatus | null };
}
