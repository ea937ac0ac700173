// The manager's options (manager.ts): the API connection, the namespaces watched, the servers, leader election and
// Events. options.ts builds them from the flags.
import type { Clock } from './clock.ts';
import type { EventRecorderOptions } from './kube/events.ts';
import type { KubeConfigLike } from './kube/kubeconfig.ts';
import type { Logger } from './log.ts';
import type { MetricsAuthLimits } from './server/metrics-auth.ts';

export interface ManagerOptions {
  /** kube/kubeconfig.ts's loaders, or a client-node KubeConfig (tests). */
  kubeConfig: KubeConfigLike;
  clock?: Clock;
  log?: Logger;
  identity?: string;
  /** Client-side rate limit of the controllers' and informers' client (a negative qps, the default, turns it off). */
  kubeApiQps: number;
  kubeApiBurst: number;
  /** The metrics authorizer's budget and caches (server/metrics-auth.ts's defaults when left out). */
  metricsAuth?: Partial<MetricsAuthLimits>;
  /** Namespaces the informers watch (empty = all). */
  namespaces: string[];
  /** "0" disables the server. */
  metricsBindAddress: string;
  metricsSecure: boolean;
  metricsCertDir: string;
  healthProbeBindAddress: string;
  /** renewDeadlineMs / retryPeriodMs: 0 or left out = derived from leaseDurationMs (2/3 and 1/7.5). */
  leaderElection: {
    enabled: boolean;
    id: string;
    namespace: string;
    leaseDurationMs: number;
    renewDeadlineMs?: number;
    retryPeriodMs?: number;
  };
  /** Kubernetes Events (none when left out): the reportingController, and overrides of the recorder's limits (tests). */
  events?: { reportingController: string; overrides?: Partial<EventRecorderOptions> };
  /** prom-client's default process metrics (on by default; tests running several managers switch them off). */
  defaultMetrics?: boolean;
  /** start() fails (and stops everything) when the caches have not synced by then; default 2 min, 0 = wait forever. */
  cacheSyncTimeoutMs?: number;
}
