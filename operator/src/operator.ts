// The operator: a generic manager (manager.ts) running the Challenge controller (controller/setup.ts), both
// configured from the flags (options.ts). Usable in-process (tests, benchmarks) through startOperator(); main.ts
// is the CLI around it.
import type { Clock } from './clock.ts';
import { setupChallengeController, type ChallengeController } from './controller/setup.ts';
import { parseFlags, validate, type Flags } from './flags.ts';
import type { EventRecorderOptions } from './kube/events.ts';
import type { KubeConfigLike } from './kube/kubeconfig.ts';
import type { Logger } from './log.ts';
import { Manager } from './manager.ts';
import type { SeriesStateStore } from './metrics/series-state.ts';
import { challengeControllerOptions, managerOptions } from './options.ts';

interface OperatorOptions {
  /** kube/kubeconfig.ts's loaders, or a client-node KubeConfig (tests). */
  kubeConfig: KubeConfigLike;
  /** Flag values; anything left out takes the CLI default. */
  flags?: Partial<Flags>;
  clock?: Clock;
  log?: Logger;
  identity?: string;
  /** Periodic informer resync (default 10 min); every Challenge is reconciled again at this interval. */
  resyncMs?: number;
  /** prom-client's default process metrics (on by default; tests running several managers switch them off). */
  defaultMetrics?: boolean;
  /** start() fails (and stops everything) when the caches have not synced by then; default 2 min, 0 = wait forever. */
  cacheSyncTimeoutMs?: number;
  /** Where the series state is kept (default: the --series-state-configmap ConfigMap, if set). */
  seriesStateStore?: SeriesStateStore;
  /** How often changed series state is written (default 5 s). */
  seriesStateFlushMs?: number;
  /** Per-user fair queueing of Challenge keys (default on); off only to measure it (bench/fairness.ts). */
  fairQueue?: boolean;
  /** Overrides of the event recorder's windows and limits (tests). */
  eventOptions?: Partial<EventRecorderOptions>;
}

export interface Operator {
  manager: Manager;
  challenges: ChallengeController;
}

export function newOperator(opts: OperatorOptions): Operator {
  const flags: Flags = { ...parseFlags([], {}), ...opts.flags };
  validate(flags);
  const { kubeConfig, clock, log, identity, defaultMetrics, cacheSyncTimeoutMs, eventOptions } = opts;
  const manager = new Manager(
    managerOptions(flags, { kubeConfig, clock, log, identity, defaultMetrics, cacheSyncTimeoutMs, eventOptions })
  );
  const { resyncMs, seriesStateStore, seriesStateFlushMs, fairQueue } = opts;
  const challenges = setupChallengeController(
    manager,
    challengeControllerOptions(flags, { resyncMs, seriesStateStore, seriesStateFlushMs, fairQueue })
  );
  return { manager, challenges };
}

export async function startOperator(opts: OperatorOptions): Promise<Operator> {
  const operator = newOperator(opts);
  await operator.manager.start();
  return operator;
}
