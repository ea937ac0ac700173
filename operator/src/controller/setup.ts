// Sets up the Challenge controller (kubebuilder's SetupWithManager): the caches it reads with their indexes, its
// reconciler and workers, and which informer events enqueue which Challenge keys.
import { CHALLENGE_CONTROLLER } from '@hexactf/contract';
import { objectKey, type ChallengeDefinition, type KubeObject } from '../api/types.ts';
import type { Clock } from '../clock.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../log.ts';
import type { ControllerMetrics } from '../metrics/controller-metrics.ts';
import {
  INDEX_DEFINITION,
  challengeKeyOfChild,
  challengeKeyOfPod,
  makeCaches,
  type Caches,
  type InformerFactory,
} from './caches.ts';
import { Admission } from './admission.ts';
import { Controller } from './controller.ts';
import { quotaUser as userOf, slotPlace as place } from './quota.ts';
import { QuotaLines } from './quota-line.ts';
import { Reconciler, type EventSink, type ReconcileOptions } from './reconciler.ts';

/** The `controller` label of its metrics (the contract's: the chart's reconcile-error alert selects it). */
export const CONTROLLER_NAME = CHALLENGE_CONTROLLER;

export interface ChallengeControllerDeps {
  newInformer: InformerFactory;
  /** Periodic resync of the Challenge cache: every Challenge is reconciled again at this interval. */
  resyncMs: number;
  client: KubeClient;
  clock: Clock;
  log: Logger;
  metrics: ControllerMetrics;
  options: ReconcileOptions;
  workers: number;
  /** Kubernetes Events about Challenges (none when left out). */
  events?: EventSink;
}

export interface ChallengeController {
  caches: Caches;
  controller: Controller;
}

export function setupChallengeController(deps: ChallengeControllerDeps): ChallengeController {
  const caches = makeCaches(deps.newInformer, deps.resyncMs);
  const admission = new Admission(deps.clock);
  const lines = new QuotaLines((key) => caches.challenges.get(key));
  const reconciler = new Reconciler({
    caches,
    client: deps.client,
    clock: deps.clock,
    log: deps.log,
    recorder: deps.metrics,
    opts: deps.options,
    admission,
    lines,
    events: deps.events,
  });
  const controller = new Controller({
    name: CONTROLLER_NAME,
    workers: deps.workers,
    clock: deps.clock,
    metrics: deps.metrics,
    log: deps.log,
    reconcile: (key) => reconciler.reconcile(key),
    keys: () => [...caches.challenges.list()].map(objectKey),
  });
  watch(caches, controller, deps.options, admission, lines);
  return { caches, controller };
}

/** Which events enqueue which Challenges. */
function watch(
  c: Caches,
  controller: Controller,
  options: ReconcileOptions,
  admission: Admission,
  lines: QuotaLines
): void {
  const enqueue = (key: string) => controller.enqueue(key);

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
  c.challenges.addHandlers({
    onAdd: (ch) => {
      if (quota) {
        lines.observe(undefined, ch);
      }
      admission.observe(ch);
      enqueue(objectKey(ch));
    },
    onUpdate: (old, ch) => {
      if (quota) {
        lines.observe(old, ch);
      }
      admission.observe(ch);
      enqueue(objectKey(ch));
      if (userOf(old) !== userOf(ch)) {
        slotFreed(userOf(old));
        slotFreed(userOf(ch));
      } else if (place(old) !== place(ch)) {
        slotFreed(userOf(ch));
      }
    },
    onDelete: (ch) => {
      if (quota) {
        lines.observe(ch, undefined);
      }
      admission.observe(ch, true);
      enqueue(objectKey(ch));
      slotFreed(userOf(ch));
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
    const event = (o: KubeObject) => keysOf(o).forEach(enqueue);
    return { onAdd: event, onUpdate: (_o: KubeObject, n: KubeObject) => event(n), onDelete: event };
  };
  c.deployments.addHandlers(onEvents(challengeKeyOfChild));
  c.services.addHandlers(onEvents(challengeKeyOfChild));
  c.networkPolicies.addHandlers(onEvents(challengeKeyOfChild));
  c.pods.addHandlers(onEvents(challengeKeyOfPod));
}
