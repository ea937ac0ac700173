// Sets up the Challenge controller on a manager (kubebuilder's SetupWithManager): the caches it reads with their
// indexes, its reconciler and workers, which informer events enqueue which Challenge keys, and its metrics: the
// lifecycle metrics, the Challenge series (collector) and the keeper of their state across restarts.
import { CHALLENGE_CONTROLLER } from '@hexactf/contract';
import { objectKey, type Challenge, type ChallengeDefinition, type KubeObject } from '../api/types.ts';
import { KubeClient } from '../kube/client.ts';
import { ChallengeCollector } from '../metrics/challenge-collector.ts';
import { LifecycleMetrics } from '../metrics/lifecycle-metrics.ts';
import { SeriesKeeper } from '../metrics/series-keeper.ts';
import { configMapStore, type SeriesStateStore } from '../metrics/series-state.ts';
import { Admission } from './admission.ts';
import { INDEX_DEFINITION, challengeKeyOfChild, challengeKeyOfPod, makeCaches, type Caches } from './caches.ts';
import { Controller } from './controller.ts';
import type { Priority } from '../queue/work-queue.ts';
import type { ControllerHost } from './host.ts';
import { quotaUser, slotPlace } from './quota.ts';
import { QuotaLines } from './quota-line.ts';
import { Reconciler, type ReconcileOptions } from './reconciler.ts';

export interface ChallengeControllerOptions {
  reconcile: ReconcileOptions;
  workers: number;
  /** Hand out Challenge keys round-robin across quota users (so one user's pile does not delay another's). */
  fairQueue?: boolean;
  /** Periodic resync of the Challenge cache: every Challenge is reconciled again at this interval. */
  resyncMs: number;
  /** How long a deleted Challenge stays exported as Deleted. */
  deletedSeriesRetentionMs: number;
  /** Where the series state is kept across restarts: a store, or a ConfigMap by name; neither = memory only. */
  seriesState: {
    store?: SeriesStateStore;
    configMap?: { namespace: string; name: string };
    flushIntervalMs: number;
  };
}

export interface ChallengeController {
  caches: Caches;
  controller: Controller;
  collector: ChallengeCollector;
  lifecycle: LifecycleMetrics;
  /** Keeps tombstones and the live set across restarts (--series-state-configmap). */
  seriesKeeper?: SeriesKeeper;
  /** Reconciles every cached Challenge again now (what the periodic resync does); for tests that move the clock. */
  enqueueAll(): void;
}

export function setupChallengeController(host: ControllerHost, o: ChallengeControllerOptions): ChallengeController {
  const { clock, log } = host;
  const caches = makeCaches(host.newInformer, o.resyncMs);
  const admission = new Admission(clock);
  const lines = new QuotaLines((key) => caches.challenges.get(key));
  const lifecycle = new LifecycleMetrics(host.metrics.registry);
  const reconciler = new Reconciler({
    caches,
    client: new KubeClient(host.rest),
    clock,
    log,
    lifecycle,
    opts: o.reconcile,
    admission,
    lines,
    events: host.eventRecorder(),
  });
  const controller = new Controller({
    // The `controller` label of its metrics (the contract's: the chart's reconcile-error alert selects it).
    name: CHALLENGE_CONTROLLER,
    workers: o.workers,
    clock,
    metrics: host.metrics,
    log,
    reconcile: (key) => reconciler.reconcile(key),
    keys: () => [...caches.challenges.list()].map(objectKey),
    fairnessKeyOf: o.fairQueue === false ? undefined : (key) => fairnessGroup(caches.challenges.get(key)),
  });
  watch(caches, controller, o.reconcile, admission, lines);
  host.addController(controller);

  const collector = new ChallengeCollector(
    {
      challenges: () => caches.challenges.list(),
      get: (key) => caches.challenges.get(key),
      definitions: () => caches.definitions.list(),
      definition: (namespace, name) => caches.definitions.get(`${namespace}/${name}`),
    },
    clock,
    o.deletedSeriesRetentionMs
  );
  host.addMetricsSource((push) => collector.renderPieces(push));
  const { configMap } = o.seriesState;
  const store =
    o.seriesState.store ?? (configMap ? configMapStore(host.rest, configMap.namespace, configMap.name) : undefined);
  const seriesKeeper = store
    ? new SeriesKeeper(collector, store, clock, log, {
        flushIntervalMs: o.seriesState.flushIntervalMs,
        retentionMs: o.deletedSeriesRetentionMs,
        namespaces: host.namespaces,
      })
    : undefined;
  if (seriesKeeper) {
    // The kept series state is restored before leading, so the first scrape with Challenge series already has it.
    host.addRunnable({
      beforeLeading: () => seriesKeeper.restore(),
      start: () => seriesKeeper.start(),
      stop: (graceful) => seriesKeeper.stop(graceful),
    });
  }

  // The lifecycle series exist at 0 before their first observation (LifecycleMetrics.lifecycleDefinition); every
  // replica creates them, so a new leader's first scrape already has them.
  for (const namespace of host.namespaces) {
    lifecycle.lifecycleNamespace(namespace);
  }
  caches.definitions.addHandlers({
    onAdd: (d) => lifecycle.lifecycleDefinition(d.metadata.namespace!, d.metadata.name),
  });
  // Deleted Challenges keep their series (value 2) for --deleted-series-retention.
  caches.challenges.addHandlers({
    onAdd: () => seriesKeeper?.markDirty(),
    onDelete: (ch) => {
      collector.onDeleted(ch);
      seriesKeeper?.markDirty();
    },
  });
  const enqueueAll = () => {
    for (const ch of caches.challenges.list()) {
      controller.enqueue(objectKey(ch));
    }
  };
  return { caches, controller, collector, lifecycle, seriesKeeper, enqueueAll };
}

/** A Challenge key's fairness group: its quota user; one shared group for keys with no (known) user. */
function fairnessGroup(ch: Challenge | undefined): string {
  const user = ch && quotaUser(ch);
  return user === undefined ? '' : `user:${user}`;
}

/** Which events enqueue which Challenges. */
function watch(
  c: Caches,
  controller: Controller,
  options: ReconcileOptions,
  admission: Admission,
  lines: QuotaLines
): void {
  const enqueue = (key: string, priority?: Priority) => controller.enqueue(key, priority);

  // A Challenge itself. Under --max-per-user, when one leaves a slot or the line (deleted, stopped holding a
  // slot, moved to another user), at most one other can change: the user's first waiting Challenge, and only
  // if a slot is free for it now. A new Challenge joins the end of the line and changes nobody else. The lines
  // are updated first, so what follows sees this event.
  const quota = options.maxPerUser > 0;
  const slotFreed = (user: string | undefined) => {
    if (!quota || !user) {
      return;
    }
    const first = lines.first(user, admission.holds);
    if (first && lines.ahead(first, admission, options.maxPerUser) < options.maxPerUser) {
      enqueue(objectKey(first));
    }
  };
  // A new Challenge, and one whose resync brings nothing new, wait until no event of an instance already under way
  // does (work-queue.ts priorities): at an event's start, a Deployment that became available turns its Challenge
  // Running in seconds instead of waiting behind every Challenge created after it.
  c.challenges.addHandlers({
    onAdd: (ch) => {
      if (quota) {
        lines.observe(undefined, ch);
      }
      admission.observe(ch);
      enqueue(objectKey(ch), 'low');
    },
    onUpdate: (old, ch) => {
      if (quota) {
        lines.observe(old, ch);
      }
      admission.observe(ch);
      enqueue(objectKey(ch), old.metadata.resourceVersion === ch.metadata.resourceVersion ? 'low' : 'normal');
      if (quotaUser(old) !== quotaUser(ch)) {
        slotFreed(quotaUser(old));
        slotFreed(quotaUser(ch));
      } else if (slotPlace(old) !== slotPlace(ch)) {
        slotFreed(quotaUser(ch));
      }
    },
    onDelete: (ch) => {
      if (quota) {
        lines.observe(ch, undefined);
      }
      admission.observe(ch, true);
      enqueue(objectKey(ch));
      slotFreed(quotaUser(ch));
    },
  });

  // A definition: every Challenge that uses it.
  const definitionEvent = (def: ChallengeDefinition) => {
    for (const ch of c.challenges.byIndex(INDEX_DEFINITION, objectKey(def))) {
      enqueue(objectKey(ch));
    }
  };
  c.definitions.addHandlers({
    onAdd: definitionEvent,
    onUpdate: (_o, d) => definitionEvent(d),
    onDelete: definitionEvent,
  });

  // A child (Deployment, Service, NetworkPolicy) or one of its pods: the Challenge it belongs to.
  const onEvents = (keysOf: (o: KubeObject) => string[]) => {
    const event = (o: KubeObject) => keysOf(o).forEach((key) => enqueue(key));
    return { onAdd: event, onUpdate: (_o: KubeObject, n: KubeObject) => event(n), onDelete: event };
  };
  c.deployments.addHandlers(onEvents(challengeKeyOfChild));
  c.services.addHandlers(onEvents(challengeKeyOfChild));
  c.networkPolicies.addHandlers(onEvents(challengeKeyOfChild));
  c.pods.addHandlers(onEvents(challengeKeyOfPod));
}
