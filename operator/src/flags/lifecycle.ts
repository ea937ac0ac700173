// Flags of the Challenge lifecycle: watched namespaces, timeouts, quota, Deleted series and reconcile workers. Part of FLAG_SPECS (flags.ts), which keeps their order.
import type { FlagSpec } from './spec.ts';

export const LIFECYCLE_FLAGS = [
  {
    name: 'namespace',
    key: 'namespace',
    kind: 'string',
    def: () => '',
    help: 'Watch only these namespaces, comma-separated ("" = all namespaces; the chart\'s namespaced RBAC gives a Role in each).',
  },
  {
    name: 'pending-timeout',
    key: 'pendingTimeoutMs',
    kind: 'duration',
    def: () => '5m',
    help: 'A Challenge still Pending after this long goes to Error (0 = never).',
  },
  {
    name: 'delete-on-error',
    key: 'deleteOnError',
    kind: 'bool',
    def: () => 'false',
    help: 'Delete Challenges that reach a terminal Error (pod failures, pending timeout, refused children); by default they are kept for organizers to see.',
  },
  {
    name: 'challenge-ttl',
    key: 'challengeTtlMs',
    kind: 'duration',
    def: () => '30m',
    help: 'Delete a Running Challenge this long after it started, unless its definition isOne (0 = never).',
  },
  {
    name: 'max-per-user',
    key: 'maxPerUser',
    kind: 'int',
    def: () => '0',
    help: 'Live Challenges allowed per user (0 = unlimited). Admission is atomic per user, so concurrent creates never exceed it; the rest wait, oldest first, in Error QuotaExceeded.',
  },
  {
    name: 'quota-wait-timeout',
    key: 'quotaWaitTimeoutMs',
    kind: 'duration',
    def: () => '0',
    help: 'Delete a Challenge still waiting for a --max-per-user slot this long after it was created (0 = it waits until a slot frees).',
  },
  {
    name: 'deleted-series-retention',
    key: 'deletedSeriesRetentionMs',
    kind: 'duration',
    def: () => '60s',
    help: 'How long a deleted Challenge stays exported as 2 (Deleted); keep it at least twice the scrape interval (minimum 10s).',
  },
  {
    name: 'series-state-configmap',
    key: 'seriesStateConfigMap',
    kind: 'string',
    def: () => '',
    help: 'ConfigMap (in --leader-election-namespace, the operator\'s own) that keeps recent Deleted series and the live set across restarts, so deletions shortly before a restart or while no operator runs are still exported as Deleted ("" = keep them in memory only).',
  },
  {
    name: 'max-concurrent-reconciles',
    key: 'maxConcurrentReconciles',
    kind: 'int',
    def: () => '4',
    help: 'Reconcile workers.',
  },
] as const satisfies readonly FlagSpec[];
