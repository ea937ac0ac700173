// Flags of leader election through a Lease. Part of FLAG_SPECS (flags.ts), which keeps their order.
import type { FlagSpec } from './spec.ts';

export const LEADER_ELECTION_FLAGS = [
  {
    name: 'leader-elect',
    key: 'leaderElect',
    kind: 'bool',
    def: () => 'false',
    help: 'Elect a leader through a Lease; only the leader reconciles and exports challenge series.',
  },
  {
    name: 'leader-election-id',
    key: 'leaderElectionId',
    kind: 'string',
    def: () => 'challenge-operator.hexactf.io',
    help: 'Name of the leader-election Lease.',
  },
  {
    name: 'leader-election-namespace',
    key: 'leaderElectionNamespace',
    kind: 'string',
    def: (env) => env.POD_NAMESPACE || 'default',
    help: 'Namespace of the Lease (default: $POD_NAMESPACE, else "default").',
  },
  {
    name: 'lease-duration',
    key: 'leaseDurationMs',
    kind: 'duration',
    def: () => '15s',
    help: 'How long a leader holds the Lease without renewing it.',
  },
  {
    name: 'renew-deadline',
    key: 'renewDeadlineMs',
    kind: 'duration',
    def: () => '0',
    help: 'A leader that could not renew the Lease for this long stops leading (reconciles, Challenge series, Events) before the Lease runs out for the others; must be below --lease-duration (0 = two thirds of it: 10s for 15s).',
  },
  {
    name: 'retry-period',
    key: 'retryPeriodMs',
    kind: 'duration',
    def: () => '0',
    help: 'How often the Lease is renewed, or tried for by a standby; must be below --renew-deadline (0 = --lease-duration / 7.5: 2s for 15s).',
  },
] as const satisfies readonly FlagSpec[];
