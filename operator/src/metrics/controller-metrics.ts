// Controller, work-queue, leader-election and event-recorder metrics under controller-runtime's names (so existing
// operator dashboards work; the names are the metric contract's), on the one prom-client Registry the manager
// serves. What a controller measures of its own objects registers on the same registry (lifecycle-metrics.ts).
import { CONTROLLER_METRICS } from '@hexactf/contract';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetricsSink } from '../queue/work-queue.ts';
import type { EventRecorderStats } from '../kube/events.ts';

const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2,
  2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
const QUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10];
export class ControllerMetrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly leaderStatus: Gauge<'name'>;
  private eventStatsMemo?: EventRecorderStats;
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
  }

  /**
   * The event recorder's writes and drops. Registered on first use, by the manager when a controller asks for its
   * event recorder (after the controller's own metrics, which keeps the exposition order the operator always had).
   */
  eventStats(): EventRecorderStats {
    if (this.eventStatsMemo) {
      return this.eventStatsMemo;
    }
    const dropped = new Counter({
      name: 'event_recorder_dropped_total',
      help: 'Kubernetes Events not written: spam_filter (per-object limit), queue_full, write_failed, invalid.',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    const writes = new Counter({
      name: 'event_recorder_writes_total',
      help: 'Kubernetes Event writes (create, or patch of a series) by result.',
      labelNames: ['verb', 'result'],
      registers: [this.registry],
    });
    for (const reason of ['spam_filter', 'queue_full', 'write_failed', 'invalid']) {
      dropped.inc({ reason }, 0);
    }
    this.eventStatsMemo = {
      dropped: (reason) => dropped.inc({ reason }),
      written: (verb, ok) => writes.inc({ verb, result: ok ? 'success' : 'error' }),
    };
    return this.eventStatsMemo;
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
}
