// Where flag values become options: the manager's (connection, servers, leader election, Events) and the
// Challenge controller's (its reconcile rules, workers, metrics). The one place that reads Flags besides main.ts.
import { resourceBounds } from './controller/resource-bounds.ts';
import { capabilityList, namespaceList, runtimeClassList } from './flag-values.ts';
import type { Flags } from './flags.ts';
import { cidrList } from './controller/network-policy.ts';
import type { ChallengeControllerOptions } from './controller/setup.ts';
import type { ManagerOptions } from './manager-options.ts';

/** reportingController of the operator's Events. */
export const EVENTS_CONTROLLER = 'hexactf.io/challenge-operator';

/** The manager's options from the flags; `rest` holds what does not come from a flag. */
export function managerOptions(
  f: Flags,
  rest: Pick<ManagerOptions, 'kubeConfig' | 'clock' | 'log' | 'identity' | 'defaultMetrics' | 'cacheSyncTimeoutMs'> & {
    eventOptions?: NonNullable<ManagerOptions['events']>['overrides'];
  }
): ManagerOptions {
  const { eventOptions, ...given } = rest;
  return {
    ...given,
    kubeApiQps: f.kubeApiQps,
    kubeApiBurst: f.kubeApiBurst,
    namespaces: namespaceList(f.namespace),
    metricsBindAddress: f.metricsBindAddress,
    metricsSecure: f.metricsSecure,
    metricsCertDir: f.metricsCertDir,
    metricsAuth: {
      maxInFlight: f.metricsAuthMaxInflight,
      positiveTtlMs: f.metricsAuthCacheTtlMs,
      negativeTtlMs: f.metricsAuthNegativeCacheTtlMs,
      cacheSize: f.metricsAuthCacheSize,
    },
    healthProbeBindAddress: f.healthProbeBindAddress,
    leaderElection: {
      enabled: f.leaderElect,
      id: f.leaderElectionId,
      namespace: f.leaderElectionNamespace,
      leaseDurationMs: f.leaseDurationMs,
      renewDeadlineMs: f.renewDeadlineMs,
      retryPeriodMs: f.retryPeriodMs,
    },
    events: f.emitEvents ? { reportingController: EVENTS_CONTROLLER, overrides: eventOptions } : undefined,
  };
}

/** The Challenge controller's options from the flags; `rest` holds what does not come from a flag (tests). */
export function challengeControllerOptions(
  f: Flags,
  rest: {
    resyncMs?: number;
    seriesStateStore?: ChallengeControllerOptions['seriesState']['store'];
    seriesStateFlushMs?: number;
    fairQueue?: boolean;
  }
): ChallengeControllerOptions {
  return {
    reconcile: {
      pendingTimeoutMs: f.pendingTimeoutMs,
      challengeTtlMs: f.challengeTtlMs,
      maxPerUser: f.maxPerUser,
      quotaWaitTimeoutMs: f.quotaWaitTimeoutMs,
      deleteOnError: f.deleteOnError,
      childPolicy: {
        allowLoadBalancer: f.allowLoadBalancer,
        allowedCapabilities: capabilityList(f.allowedCapabilities),
        allowedRuntimeClasses: runtimeClassList(f.allowedRuntimeClasses),
        bounds: resourceBounds(f),
      },
      isolation: {
        enabled: f.networkPolicy,
        internalCidrs: cidrList(f.internalCidrs, 'internal-cidrs'),
        egressAllowCidrs: cidrList(f.egressAllowCidrs, 'egress-allow-cidrs'),
        ingressAllowCidrs: cidrList(f.ingressAllowCidrs, 'ingress-allow-cidrs'),
        allowDns: true,
      },
    },
    workers: f.maxConcurrentReconciles,
    fairQueue: rest.fairQueue ?? true,
    resyncMs: rest.resyncMs ?? 10 * 60_000,
    deletedSeriesRetentionMs: f.deletedSeriesRetentionMs,
    seriesState: {
      store: rest.seriesStateStore,
      configMap: f.seriesStateConfigMap
        ? { namespace: f.leaderElectionNamespace, name: f.seriesStateConfigMap }
        : undefined,
      flushIntervalMs: rest.seriesStateFlushMs ?? 5000,
    },
  };
}
