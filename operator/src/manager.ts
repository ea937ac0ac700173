// A generic manager (controller-runtime's Manager): the API clients, the informers controllers ask for, leader
// election, the metrics and health servers, and the controllers and runnables that run while this replica leads.
// It knows nothing about Challenges: operator.ts builds it from the flags (options.ts) and sets up the Challenge
// controller on it (controller/setup.ts).
import { hostname } from 'node:os';
import { realClock, type Clock } from './clock.ts';
import type { ControllerHost, LeaderController, LeaderRunnable } from './controller/host.ts';
import { ApiserverHealth } from './kube/apiserver-health.ts';
import { EventRecorder } from './kube/events.ts';
import type { Informer } from './kube/informer.ts';
import { informerFactory, type InformerFactory } from './kube/informer-factory.ts';
import { LeaderElector, kubeLeaseStore } from './kube/leader-election.ts';
import { requestPaths } from './kube/request-paths.ts';
import { RestClient } from './kube/rest.ts';
import { silentLogger, type Logger } from './log.ts';
import type { ManagerOptions } from './manager-options.ts';
import { ControllerMetrics } from './metrics/controller-metrics.ts';
import { listen, type BoundServer } from './server/http-server.ts';
import { MetricsAuthorizer } from './server/metrics-auth.ts';
import { MetricsEndpoint, type MetricsSource } from './server/metrics-endpoint.ts';
import { probeRoutes } from './server/probes.ts';
import { servingCert } from './server/serving-cert.ts';

const { randomUUID } = process.getBuiltinModule('node:crypto');

export class Manager implements ControllerHost {
  readonly clock: Clock;
  readonly log: Logger;
  readonly identity: string;
  readonly namespaces: string[];
  readonly metrics: ControllerMetrics;
  /** Every request of the controllers and their informers goes through this client and its rate limit. */
  readonly rest: RestClient;
  readonly newInformer: InformerFactory;
  /** Set when the Lease was lost: the controllers' client then sends no more writes until this replica leads again. */
  private fenced = false;
  private readonly opts: ManagerOptions;
  /** Leader election's own client: no rate limit, its own connections, nothing queued in front of a renewal. */
  private readonly leaseRest: RestClient;
  /** The metrics authorizer's own client; its budget is the authorizer's bound on reviews in flight. */
  private readonly authRest: RestClient;
  readonly metricsAuth?: MetricsAuthorizer;
  private readonly informers: Array<Informer<any>> = [];
  private readonly controllers: LeaderController[] = [];
  private readonly runnables: LeaderRunnable[] = [];
  private readonly metricsEndpoint: MetricsEndpoint;
  private readonly apiserverHealth: ApiserverHealth;
  private readonly elector?: LeaderElector;
  private readonly cacheSyncTimeoutMs: number;
  private metricsServer?: BoundServer;
  private healthServer?: BoundServer;
  private becomingLeader?: Promise<void>;
  private leading = false;
  private stopping?: Promise<void>;
  private recorder?: EventRecorder;
  private recorderAsked = false;

  constructor(opts: ManagerOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? silentLogger;
    this.identity = opts.identity ?? `${hostname()}_${randomUUID()}`;
    this.namespaces = opts.namespaces;
    this.cacheSyncTimeoutMs = opts.cacheSyncTimeoutMs ?? 120_000;
    const paths = requestPaths(opts, () => (this.fenced ? 'this replica lost its leader election Lease' : undefined));
    ({ rest: this.rest, lease: this.leaseRest, auth: this.authRest } = paths);
    const election = opts.leaderElection;
    this.newInformer = informerFactory({
      rest: this.rest,
      namespaces: this.namespaces,
      clock: this.clock,
      log: this.log,
      made: (informer) => this.informers.push(informer),
    });
    this.apiserverHealth = new ApiserverHealth(this.rest, { clock: this.clock });
    this.metrics = new ControllerMetrics(opts.defaultMetrics ?? true);
    this.metricsAuth = opts.metricsSecure
      ? new MetricsAuthorizer(this.authRest, { clock: this.clock, ...opts.metricsAuth })
      : undefined;
    this.metricsEndpoint = new MetricsEndpoint(this.metrics.registry, () => this.leading, this.metricsAuth);
    if (election.enabled) {
      this.elector = new LeaderElector({
        store: kubeLeaseStore(this.leaseRest, election.namespace, election.id),
        name: election.id,
        namespace: election.namespace,
        identity: this.identity,
        leaseDurationMs: election.leaseDurationMs,
        renewDeadlineMs: election.renewDeadlineMs,
        retryPeriodMs: election.retryPeriodMs,
        clock: this.clock,
        log: this.log,
        onStartedLeading: () => this.startLeading(),
        onStoppedLeading: () => {
          // The Lease was lost: stop acting at once. The series stop with `leading`, the fence refuses every write
          // still queued or about to be made, before the others may take the Lease (leaseDuration > renewDeadline).
          this.fenced = true;
          void this.stopLeading();
        },
      });
    }
    this.metrics.leaderStatus.set({ name: election.id }, 0);
  }

  /** Kubernetes Events (undefined when off or before a controller asked for the recorder). */
  get events(): EventRecorder | undefined {
    return this.recorder;
  }

  /**
   * The event recorder, made on a controller setup's first call: its metrics register after the metrics of that
   * controller (the exposition order the operator has always had).
   */
  eventRecorder(): EventRecorder | undefined {
    if (this.recorderAsked) {
      return this.recorder;
    }
    this.recorderAsked = true;
    const stats = this.metrics.eventStats();
    const { events, kubeApiQps: qps, kubeApiBurst: burst } = this.opts;
    if (events) {
      // Event writes together get a quarter of the request budget, so a burst of them never holds back reconciles.
      this.recorder = new EventRecorder(this.rest, {
        controller: events.reportingController,
        instance: this.identity,
        clock: this.clock,
        log: this.log,
        metrics: stats,
        globalQps: qps > 0 ? qps / 4 : 50,
        globalBurst: qps > 0 ? Math.max(1, Math.floor(burst / 4)) : 100,
        // And they wait while the controllers have a backlog (at most 30 s of it): the reconciles' writes go first.
        deferWhile: () => this.controllers.some((c) => (c.backlog?.() ?? 0) > 0),
        ...events.overrides,
      });
    }
    return this.recorder;
  }

  addController(controller: LeaderController): void {
    this.controllers.push(controller);
  }

  addRunnable(runnable: LeaderRunnable): void {
    this.runnables.push(runnable);
  }

  addMetricsSource(source: MetricsSource): void {
    this.metricsEndpoint.addSource(source);
  }

  /** Starts informers, servers and (after leader election, if enabled) the controllers. */
  async start(): Promise<void> {
    for (const inf of this.informers) {
      inf.start();
    }
    const o = this.opts;
    if (o.metricsBindAddress !== '0') {
      const tls = o.metricsSecure ? servingCert(o.metricsCertDir) : undefined;
      this.metricsServer = await listen(
        o.metricsBindAddress,
        { '/metrics': (req, res) => this.metricsEndpoint.serve(req, res) },
        { tls }
      );
    }
    if (o.healthProbeBindAddress !== '0') {
      this.healthServer = await listen(o.healthProbeBindAddress, probeRoutes(this.informers, this.apiserverHealth));
    }
    await this.waitForSyncOrFail();
    this.log.info('caches synced', { namespace: this.namespaces.join(',') || '(all)' });
    if (this.stopping) {
      return;
    }
    if (this.elector) {
      this.elector.start();
    } else {
      this.startLeading();
    }
  }

  /** Like controller-runtime's CacheSyncTimeout: a cache that cannot list (RBAC, CRD missing) fails the start. */
  private async waitForSyncOrFail(): Promise<void> {
    if (!this.cacheSyncTimeoutMs) {
      return this.waitForSync();
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.cacheSyncTimeoutMs);
    });
    const outcome = await Promise.race([this.waitForSync(), timeout]);
    clearTimeout(timer);
    if (outcome !== 'timeout') {
      return;
    }
    const waiting = this.informers
      .filter((i) => !i.hasSynced())
      .map((i) => `${i.name}${i.lastError ? ` (${i.lastError})` : ''}`);
    await this.stop();
    throw new Error(`caches not synced after ${this.cacheSyncTimeoutMs / 1000}s: ${waiting.join(', ')}`);
  }

  waitForSync(): Promise<void> {
    return Promise.all(this.informers.map((i) => i.waitForSync())).then(() => undefined);
  }

  hasSynced(): boolean {
    return this.informers.every((i) => i.hasSynced());
  }

  isLeader(): boolean {
    return this.leading;
  }

  get metricsUrl(): string | undefined {
    return this.metricsServer && `${this.metricsServer.url}/metrics`;
  }

  get healthUrl(): string | undefined {
    return this.healthServer?.url;
  }

  /** The full /metrics text: prom-client's registry plus the metric sources (leader only). */
  renderMetrics(): Promise<string> {
    return this.metricsEndpoint.render();
  }

  /** What a new leader must have (e.g. the kept series state) is restored first, before anything leads. */
  private startLeading(): void {
    if (this.stopping || this.leading || this.becomingLeader) {
      return;
    }
    // The Lease is ours again: what prepares the leadership may write.
    this.fenced = false;
    this.becomingLeader = (async () => {
      for (const runnable of this.runnables) {
        await runnable.beforeLeading?.();
      }
      this.becomingLeader = undefined;
      if (this.stopping) {
        return;
      }
      this.leading = true;
      this.metrics.leaderStatus.set({ name: this.opts.leaderElection.id }, 1);
      this.recorder?.start();
      for (const controller of this.controllers) {
        controller.start();
      }
      for (const runnable of this.runnables) {
        runnable.start();
      }
    })();
  }

  /** `graceful`: this replica stops on its own (runnables write their state a last time); not when the lease was lost. */
  private async stopLeading(graceful = false): Promise<void> {
    await this.becomingLeader;
    if (!this.leading) {
      return;
    }
    if (!graceful) {
      this.fenced = true; // also when the Lease was lost while the runnables were still preparing to lead
    }
    this.leading = false;
    this.metrics.leaderStatus.set({ name: this.opts.leaderElection.id }, 0);
    for (const controller of this.controllers) {
      await controller.stop();
    }
    // Only the leader records: a lost lease drops what waits, a graceful stop writes it (bounded).
    await this.recorder?.stop(graceful);
    for (const runnable of this.runnables) {
      await runnable.stop(graceful);
    }
  }

  /** Graceful stop: close /metrics, finish in-flight reconciles, release the lease, close the probes, stop informers. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // /metrics closes first: a scrape after leading ends but before the exit would find the controller's counters
      // (the dashboards' heartbeat) without the Challenge series, which reads as an empty cluster for a step.
      await this.metricsServer?.close();
      await this.stopLeading(true);
      await this.elector?.stop();
      await this.healthServer?.close();
      for (const inf of this.informers) {
        inf.stop();
      }
      await this.recorder?.stop();
      await Promise.all([this.rest.close(), this.leaseRest.close(), this.authRest.close()]);
    })();
    return this.stopping;
  }
}
