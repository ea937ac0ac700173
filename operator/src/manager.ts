// A generic manager (controller-runtime's Manager): the API clients, the informers controllers ask for, leader
// election, the metrics and health servers, and the controllers and runnables that run while this replica leads.
// It knows nothing about Challenges: operator.ts builds it from the flags (options.ts) and sets up the Challenge
// controller on it (controller/setup.ts).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { realClock, type Clock } from './clock.ts';
import type { ControllerHost, LeaderController, LeaderRunnable } from './controller/host.ts';
import { ApiserverHealth } from './kube/apiserver-health.ts';
import { EventRecorder, type EventRecorderOptions } from './kube/events.ts';
import type { Informer } from './kube/informer.ts';
import { informerFactory, type InformerFactory } from './kube/informer-factory.ts';
import type { KubeConfigLike } from './kube/kubeconfig.ts';
import { LeaderElector, kubeLeaseStore } from './kube/leader-election.ts';
import { requestPaths } from './kube/request-paths.ts';
import { RestClient } from './kube/rest.ts';
import { silentLogger, type Logger } from './log.ts';
import { ControllerMetrics } from './metrics/controller-metrics.ts';
import { listen, type BoundServer } from './server/http-server.ts';
import { MetricsAuthorizer, type MetricsAuthLimits } from './server/metrics-auth.ts';
import { MetricsEndpoint, type MetricsSource } from './server/metrics-endpoint.ts';
import { selfSignedCert } from './server/self-signed.ts';

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
      this.healthServer = await listen(o.healthProbeBindAddress, {
        '/healthz': (_q, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'),
        '/readyz': (_q, res) => this.serveReadyz(res),
      });
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

  private async serveReadyz(res: ServerResponse): Promise<void> {
    const waiting = this.informers.filter((i) => !i.hasSynced()).map((i) => i.name);
    const apiserver = waiting.length ? undefined : await this.apiserverHealth.check();
    if (waiting.length) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`caches not synced: ${waiting.join(', ')}\n`);
    } else if (apiserver) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`${apiserver}\n`);
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
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

  /** Graceful stop: finish in-flight reconciles, release the lease, close servers, stop informers. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.stopLeading(true);
      await this.elector?.stop();
      await Promise.all([this.metricsServer?.close(), this.healthServer?.close()]);
      for (const inf of this.informers) {
        inf.stop();
      }
      await this.recorder?.stop();
      await Promise.all([this.rest.close(), this.leaseRest.close(), this.authRest.close()]);
    })();
    return this.stopping;
  }
}

/** --metrics-cert-dir's tls.crt and tls.key, or a self-signed certificate for this pod. */
function servingCert(dir: string): { cert: string; key: string } {
  if (dir) {
    return { cert: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') };
  }
  return selfSignedCert('challenge-operator-metrics', [hostname(), 'localhost', '127.0.0.1', '::1']);
}
