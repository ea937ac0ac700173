// Controller, work-queue and leader-election metrics under controller-runtime's names (so existing operator
// dashboards work), plus the challenge transition counter and histograms. All on one prom-client Registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetricsSink } from '../queue/work-queue.ts';
import type { Recorder } from '../controller/reconciler.ts';

const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];
const QUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10];
const LIFECYCLE_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

export class ControllerMetrics implements Recorder {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly leaderStatus: Gauge<'name'>;
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

  constructor(defaultMetrics = true) {
    const registers = [(this.registry = new Registry())];
    if (defaultMetrics) {
      collectDefaultMetrics({ register: this.registry });
      // prom-client reports heap and external memory; buffers (sockets, TLS, response bodies) are this part of external.
      new Gauge({ name: 'nodejs_array_buffers_bytes', help: 'Memory allocated for ArrayBuffers and SharedArrayBuffers (process.memoryUsage().arrayBuffers)', registers, collect() {
        this.set(process.memoryUsage().arrayBuffers);
      } });
    }
    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers });
    this.reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'], buckets: RECONCILE_BUCKETS, registers });
    this.activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'], registers });
    this.maxWorkers = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller', labelNames: ['controller'], registers });
    this.leaderStatus = new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.', labelNames: ['name'], registers });
    this.depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers });
    this.queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name'], buckets: QUEUE_BUCKETS, registers });
    this.workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name'], buckets: QUEUE_BUCKETS, registers });
    const sources = this.queueSources;
    this.unfinished = new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: 'How many seconds of work has been done that is in progress and has not been observed by work_duration.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, src] of sources) {
          const { now, since } = src();
          this.set({ name }, since.reduce((acc, t) => acc + (now - t) / 1000, 0));
        }
      },
    });
    this.longest = new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
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
    this.transitions = new Counter({ name: 'challenge_state_transitions_total', help: 'Challenge state changes written by the operator.', labelNames: ['namespace', 'from', 'to'], registers });
    this.ttr = new Histogram({ name: 'challenge_time_to_running_seconds', help: 'Seconds from Pending to Running per instance.', labelNames: ['namespace', 'definition'], buckets: LIFECYCLE_BUCKETS, registers });
    this.life = new Histogram({ name: 'challenge_lifetime_seconds', help: 'Seconds from creation to the end of cleanup per instance.', labelNames: ['namespace', 'definition'], buckets: LIFECYCLE_BUCKETS, registers });
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

  transition(namespace: string, from: string, to: string): void {
    this.transitions.inc({ namespace, from, to });
  }

  timeToRunning(namespace: string, definition: string, seconds: number): void {
    this.ttr.observe({ namespace, definition }, seconds);
  }

  lifetime(namespace: string, definition: string, seconds: number): void {
    this.life.observe({ namespace, definition }, seconds);
  }
}
