// Facts for the state table's unit test (decision.test.ts): a Challenge in each state, its definition, what
// converging its children found, at a fixed time.
import { FINALIZER, type Challenge, type ChallengeDefinition, type ChallengeStatus } from '../../src/api/types.ts';
import type { ChildrenFacts, DecisionOptions } from '../../src/controller/facts.ts';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const iso = (ms: number) => new Date(ms).toISOString();
export const OPTIONS: DecisionOptions = {
  pendingTimeoutMs: 300_000,
  challengeTtlMs: 1_800_000,
  maxPerUser: 0,
  quotaWaitTimeoutMs: 0,
  deleteOnError: false,
};

export function challenge(status?: ChallengeStatus, meta: Partial<Challenge['metadata']> = {}): Challenge {
  return {
    metadata: {
      name: 'c1',
      namespace: 'ns',
      uid: 'u1',
      generation: 1,
      finalizers: [FINALIZER],
      labels: { 'apps.hexactf.io/challengeId': '7', 'apps.hexactf.io/user': 'alice' },
      creationTimestamp: iso(T0 - 60_000),
      ...meta,
    },
    spec: { definition: 'web' },
    status,
  };
}

export const definition = (isOne = false): ChallengeDefinition => ({
  metadata: { name: 'web', namespace: 'ns' },
  spec: {
    isOne,
    components: [
      { name: 'web', deployment: { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }] } } } } },
    ],
  },
});

export const available: ChildrenFacts = { unavailable: [], endpoint: 31000 };
export const waiting: ChildrenFacts = { unavailable: ['deployment ch-7-alice-web-0123456789'] };

export const running = (startedAt = T0 - 60_000): ChallengeStatus => ({
  currentStatus: { state: 'Running', errorMsg: '' },
  startedAt: iso(startedAt),
  isOne: false,
  observedGeneration: 1,
});
export const pendingSince = (since: number): ChallengeStatus => ({
  currentStatus: { state: 'Pending', errorMsg: '' },
  pendingSince: iso(since),
  observedGeneration: 1,
});
export const errorWith = (reason: string): ChallengeStatus => ({
  currentStatus: { state: 'Error', errorMsg: 'x' },
  conditions: [{ type: 'Ready', status: 'False', reason, message: 'x', lastTransitionTime: iso(T0 - 1000) }],
});
