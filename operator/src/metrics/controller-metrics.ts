// Controller, work-queue and leader-election metrics under controller-runtime's names (so existing operator
// dashboards work; the names are the metric contract's), plus the challenge transition counter and histograms. All on one prom-client Registry.
import {
  CONTROLLER_METRICS,
  LIFECYCLE_LABELS,
  LIFETIME_METRIC,
  NO_STATE,
  STATE_NAMES,
  TIME_TO_RUNNING_METRIC,
  TRANSITIONS_METRIC,
  TRANSITION_LABELS,
  UNKNOWN_DEFINITION,
} from '@hexactf/contract';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetricsSink } from '../queue/work-queue.ts';
import type { Recorder } from '../controller/reconciler.ts';
import type { EventRecorderStats } from '../kube/events.ts';

const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2,
  2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
const QUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10];
const LIFECYCLE_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];
/** Every state change the reconciler can write: from no state yet or a live state, to another state. */
const TRANSITION_PAIRS = [NO_STATE, ...STATE_NAMES.filter((s) => s !== 'Deleted')].flatMap((from) =>
  STATE_NAMES.filter((to) => to !== from).map((to) => ({ from, to }))
);

export class ControllerMetrics implements Recorder {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly leaderStatus: Gauge<'name'>;
  /** The event recorder's writes and drops. */
  readonly eventStats: EventRecorderStats;
  private readonly transitions: Counter<'namespace' | 'from' | 'to'>;
  private readonly ttr: Histogram<'namespace' | 'definition'>;
  private readonly life: Histogram<'namespace' | 'definition'>;
  private readonly depth: Gauge<'name'>;
  private readonly adds: Counter<'name'>;
  private readonly retries: Counter<'name'>;
  private readonly queueDuration: Histogram<'name'>;
  private readonly workDuration: Histogram<'name'>;
  private readonly unfinished: Gauge<'name'>;
  private readonly longest: Gauge<'name'>;
  private readonly activeWorkers: Gauge<'controller'>;
  private readonly maxWorkers: Gauge<'controller'>;
  private queueSources = new Map<string, () => { now: number; since: number[] }>();
  /** Namespaces and namespace/definition pairs whose lifecycle series exist (see lifecycleDefinition). */
  private readonly lifecycleNamespaces = new Set<string>();
  private readonly lifecyclePairs = new Set<string>();

  constructor(defaultMetrics = true) {
    const registers = [(this.registry = new Registry())];
    if (defaultMetrics) {
      collectDefaultMetrics({ register: this.registry });
      // prom-client reports heap and external memory; buffers (sockets, TLS, response bodies) are this part of external.
      new Gauge({
        name: 'nodejs_array_buffers_bytes',
        help: 'Memory allocated for ArrayBuffers and SharedArrayBuffers (process.memoryUsage().arrayBuffers)',
        registers,
        collect() {
          this.set(process.memoryUsage().arrayBuffers);
        },
      });
    }
    this.reconcileTotal = new Counter({
      name: CONTROLLER_METRICS.reconcileTotal,
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: CONTROLLER_METRICS.reconcileErrors,
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: CONTROLLER_METRICS.reconcileTime,
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.activeWorkers = new Gauge({
      name: CONTROLLER_METRICS.activeWorkers,
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.maxWorkers = new Gauge({
      name: CONTROLLER_METRICS.maxConcurrentReconciles,
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.leaderStatus = new Gauge({
      name: CONTROLLER_METRICS.leaderStatus,
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
      labelNames: ['name'],
      registers,
    });
    this.depth = new Gauge({
      name: CONTROLLER_METRICS.queueDepth,
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers,
    });
    this.adds = new Counter({
      name: CONTROLLER_METRICS.queueAdds,
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.retries = new Counter({
      name: CONTROLLER_METRICS.queueRetries,
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.queueDuration = new Histogram({
      name: CONTROLLER_METRICS.queueDuration,
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name'],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.workDuration = new Histogram({
      name: CONTROLLER_METRICS.workDuration,
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: ['name'],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    const sources = this.queueSources;
    this.unfinished = new Gauge({
      name: CONTROLLER_METRICS.unfinishedWork,
      help: 'How many seconds of work has been done that is in progress and has not been observed by work_duration.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, src] of sources) {
          const { now, since } = src();
          this.set(
            { name },
            since.reduce((acc, t) => acc + (now - t) / 1000, 0)
          );
        }
      },
    });
    this.longest = new Gauge({
      name: CONTROLLER_METRICS.longestRunningProcessor,
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, src] of sources) {
          const { now, since } = src();
          this.set({ name }, since.length ? (now - Math.min(...since)) / 1000 : 0);
        }
      },
    });
    this.transitions = new Counter({
      name: TRANSITIONS_METRIC,
      help: 'Challenge state changes written by the operator.',
      labelNames: TRANSITION_LABELS,
      registers,
    });
    this.ttr = new Histogram({
      name: TIME_TO_RUNNING_METRIC,
      help: 'Seconds from Pending to Running per instance.',
      labelNames: LIFECYCLE_LABELS,
      buckets: LIFECYCLE_BUCKETS,
      registers,
    });
    this.life = new Histogram({
      name: LIFETIME_METRIC,
      help: 'Seconds from creation to the end of cleanup per instance.',
      labelNames: LIFECYCLE_LABELS,
      buckets: LIFECYCLE_BUCKETS,
      registers,
    });
    const dropped = new Counter({
      name: 'event_recorder_dropped_total',
      help: 'Kubernetes Events not written: spam_filter (per-object limit), queue_full, write_failed, invalid.',
      labelNames: ['reason'],
      registers,
    });
    const writes = new Counter({
      name: 'event_recorder_writes_total',
      help: 'Kubernetes Event writes (create, or patch of a series) by result.',
      labelNames: ['verb', 'result'],
      registers,
    });
    for (const reason of ['spam_filter', 'queue_full', 'write_failed', 'invalid']) {
      dropped.inc({ reason }, 0);
    }
    this.eventStats = {
      dropped: (reason) => dropped.inc({ reason }),
      written: (verb, ok) => writes.inc({ verb, result: ok ? 'success' : 'error' }),
    };
  }

  queueSink(name: string, processing: () => { now: number; since: number[] }): QueueMetricsSink {
    this.queueSources.set(name, processing);
    this.depth.set({ name }, 0);
    this.adds.inc({ name }, 0);
    this.retries.inc({ name }, 0);
    return {
      add: () => this.adds.inc({ name }),
      retry: () => this.retries.inc({ name }),
      depth: (n) => this.depth.set({ name }, n),
      queued: (s) => this.queueDuration.observe({ name }, s),
      worked: (s) => this.workDuration.observe({ name }, s),
    };
  }

  workers(controller: string, active: number, max: number): void {
    this.activeWorkers.set({ controller }, active);
    this.maxWorkers.set({ controller }, max);
  }

  /**
   * The lifecycle series are counters: Prometheus cannot tell a series' first value from 0, so an observation that
   * creates its series is lost to rate() and increase(). They are created at 0 as soon as their labels are known
   * (client libraries' advice for known label sets): a namespace's transitions when it is watched or holds a
   * ChallengeDefinition, a definition's histograms when it enters the cache, before any Challenge of it runs or ends.
   * Bounded: namespaces are the watched ones, definitions are organisers' ChallengeDefinitions; a Challenge naming a
   * definition never seen (players choose that name) is recorded under UNKNOWN_DEFINITION, never under its own.
   * Kept when the definition goes (its live Challenges still end); an operator restart starts them afresh.
   */
  lifecycleNamespace(namespace: string): void {
    if (this.lifecycleNamespaces.has(namespace)) {
      return;
    }
    this.lifecycleNamespaces.add(namespace);
    for (const { from, to } of TRANSITION_PAIRS) {
      this.transitions.inc({ namespace, from, to }, 0);
    }
  }

  lifecycleDefinition(namespace: string, definition: string): void {
    this.lifecycleNamespace(namespace);
    const key = `${namespace}/${definition}`;
    if (this.lifecyclePairs.has(key)) {
      return;
    }
    this.lifecyclePairs.add(key);
    this.ttr.zero({ namespace, definition });
    this.life.zero({ namespace, definition });
  }

  /** The definition label of an observation: the definition if its series exist, else UNKNOWN_DEFINITION (created at first use). */
  private known(namespace: string, definition: string): { namespace: string; definition: string } {
    this.lifecycleNamespace(namespace);
    return this.lifecyclePairs.has(`${namespace}/${definition}`)
      ? { namespace, definition }
      : { namespace, definition: UNKNOWN_DEFINITION };
  }

  transition(namespace: string, from: string, to: string): void {
    this.lifecycleNamespace(namespace);
    this.transitions.inc({ namespace, from, to });
  }

  timeToRunning(namespace: string, definition: string, seconds: number): void {
    this.ttr.observe(this.known(namespace, definition), seconds);
  }

  lifetime(namespace: string, definition: string, seconds: number): void {
    this.life.observe(this.known(namespace, definition), seconds);
  }
}
