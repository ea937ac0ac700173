// What a controller's setup gets from the manager that runs it (controller-runtime's manager.Manager as a
// controller sees it): the connection, informers, metrics, an event recorder, and a place to register what runs
// while this replica leads. The manager (src/manager.ts) implements it; controllers do not import the manager.
import type { Clock } from '../clock.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { InformerFactory } from '../kube/informer-factory.ts';
import type { RestClient } from '../kube/rest.ts';
import type { Logger } from '../log.ts';
import type { ControllerMetrics } from '../metrics/controller-metrics.ts';
import type { MetricsSource } from '../server/metrics-endpoint.ts';

/** Runs while this replica leads: started after the event recorder, stopped before it. */
export interface LeaderController {
  start(): void;
  stop(): Promise<void>;
  /** Keys waiting for a worker (the manager's Event writes wait while any controller has some). */
  backlog?(): number;
}

/**
 * Runs while this replica leads, after the controllers. `beforeLeading` finishes before anything starts leading
 * (state a new leader must have); `stop(graceful)` runs after the event recorder stopped.
 */
export interface LeaderRunnable {
  beforeLeading?(): Promise<void>;
  start(): void;
  stop(graceful: boolean): Promise<void>;
}

export interface ControllerHost {
  readonly rest: RestClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: ControllerMetrics;
  /** The watched namespaces (empty = all). */
  readonly namespaces: string[];
  readonly newInformer: InformerFactory;
  /** The manager's event recorder; undefined when Events are off (--emit-events=false). */
  eventRecorder(): EventRecorder | undefined;
  addController(controller: LeaderController): void;
  addRunnable(runnable: LeaderRunnable): void;
  addMetricsSource(source: MetricsSource): void;
}
