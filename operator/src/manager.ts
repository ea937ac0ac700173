// Wires informers, the Challenge controller, leader election, metrics and probes. Usable in-process (tests,
// benchmarks) through startManager(); src/main.ts is the CLI around it.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ResourceRef } from './api/resources.ts';
import { objectKey, type KubeObject } from './api/types.ts';
import { realClock, type Clock } from './clock.ts';
import type { Caches, InformerFactory, InformerFactoryOptions } from './controller/caches.ts';
import type { Controller } from './controller/controller.ts';
import { setupChallengeController } from './controller/setup.ts';
import { capabilityList, namespaceList, parseFlags, validate, type Flags } from './flags.ts';
import { KubeClient } from './kube/client.ts';
import type { KubeConfigLike } from './kube/kubeconfig.ts';
import { rateLimiter } from './kube/rate-limiter.ts';
import { RestClient } from './kube/rest.ts';
import { EventRecorder, type EventRecorderOptions } from './kube/events.ts';

/** reportingController of the operator's Events. */
export const EVENTS_CONTROLLER = 'hexactf.io/challenge-operator';
import { ApiserverHealth } from './kube/apiserver-health.ts';
import { Informer } from './kube/informer.ts';
import { LeaderElector, kubeLeaseStore } from './kube/leader-election.ts';
import { cidrList } from './controller/network-policy.ts';
import { kubeListWatch } from './kube/list-watch.ts';
import { multiNamespaceListWatch } from './kube/multi-namespace-list-watch.ts';
import { silentLogger, type Logger } from './log.ts';
import { ChallengeCollector } from './metrics/challenge-collector.ts';
import { ControllerMetrics } from './metrics/controller-metrics.ts';
import { SeriesKeeper } from './metrics/series-keeper.ts';
import { configMapStore, type SeriesStateStore } from './metrics/series-state.ts';
import { listen, type BoundServer } from './server/http-server.ts';
import { MetricsAuthorizer } from './server/metrics-auth.ts';
import { SharedRender, sendRendered } from './metrics/shared-render.ts';
import { selfSignedCert } from './server/self-signed.ts';

export interface ManagerOptions {
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
  /** Overrides of the event recorder's windows and limits (tests). */
  eventOptions?: Partial<EventRecorderOptions>;
}

export class Manager {
  readonly flags: Flags;
  readonly clock: Clock;
  readonly log: Logger;
  readonly identity: string;
  readonly caches: Caches;
  readonly metrics: ControllerMetrics;
  readonly collector: ChallengeCollector;
  readonly controller: Controller;
  /** Keeps tombstones and the live set across restarts (--series-state-configmap). */
  readonly seriesKeeper?: SeriesKeeper;
  private readonly elector?: LeaderElector;
  private becomingLeader?: Promise<void>;
  private readonly informers: Array<Informer<any>>;
  private readonly apiserverHealth: ApiserverHealth;
  private metricsServer?: BoundServer;
  private readonly metricsAuth?: MetricsAuthorizer;
  /** Concurrent scrapes share one render of the registry and the challenge series. */
  readonly metricsText = new SharedRender(async (push) => {
    push(await this.metrics.registry.metrics());
    if (this.leading) {
      await this.collector.renderPieces(push);
    }
  });
  private healthServer?: BoundServer;
  private leading = false;
  private stopping?: Promise<void>;
  private readonly cacheSyncTimeoutMs: number;
  /** Every request of the controller and its informers goes through this client and its rate limit. */
  readonly rest: RestClient;
  private readonly controlRest: RestClient;
  /** Kubernetes Events about Challenges (--emit-events). */
  readonly events?: EventRecorder;

  constructor(opts: ManagerOptions) {
    this.flags = { ...parseFlags([], {}), ...opts.flags };
    validate(this.flags);
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? silentLogger;
    this.identity = opts.identity ?? `${hostname()}_${randomUUID()}`;
    this.cacheSyncTimeoutMs = opts.cacheSyncTimeoutMs ?? 120_000;
    const kc = opts.kubeConfig;
    this.rest = new RestClient(kc, { limiter: rateLimiter(this.flags.kubeApiQps, this.flags.kubeApiBurst) });
    // Lease renewals and the reviews behind secure /metrics get a budget of their own (as client-go's leader
    // election uses its own client): a queue of writes must cost neither the leadership nor a scrape.
    this.controlRest = new RestClient(kc, { limiter: rateLimiter(this.flags.kubeApiQps, this.flags.kubeApiBurst) });
    const namespaces = namespaceList(this.flags.namespace);
    const resyncMs = opts.resyncMs ?? 10 * 60_000;
    const informerLog = (msg: string, fields?: Record<string, unknown>) => this.log.warn(msg, fields);
    // One list+watch per challenge namespace when the RBAC is namespaced (a Role in each), else one cluster-wide.
    const listWatch = <T extends KubeObject>(ref: ResourceRef, labelSelector?: string) =>
      namespaces.length === 0
        ? kubeListWatch<T>(this.rest, ref, { labelSelector })
        : multiNamespaceListWatch(
            new Map(
              namespaces.map((namespace) => [namespace, kubeListWatch<T>(this.rest, ref, { namespace, labelSelector })])
            )
          );
    const newInformer: InformerFactory = <T extends KubeObject>(
      name: string,
      ref: ResourceRef,
      o: InformerFactoryOptions<T> = {}
    ) =>
      new Informer<T>(listWatch<T>(ref, o.labelSelector), {
        name,
        clock: this.clock,
        resyncMs: o.resyncMs ?? 0,
        log: informerLog,
        transform: o.transform,
      });
    this.apiserverHealth = new ApiserverHealth(this.rest, { clock: this.clock });
    if (this.flags.metricsSecure) {
      this.metricsAuth = new MetricsAuthorizer(this.controlRest, { clock: this.clock });
    }
    this.metrics = new ControllerMetrics(opts.defaultMetrics ?? true);
    if (this.flags.emitEvents) {
      // Event writes together get a quarter of the request budget, so a burst of them never holds back reconciles.
      const { kubeApiQps: qps, kubeApiBurst: burst } = this.flags;
      this.events = new EventRecorder(this.rest, {
        controller: EVENTS_CONTROLLER,
        instance: this.identity,
        clock: this.clock,
        log: this.log,
        metrics: this.metrics.eventStats,
        globalQps: qps > 0 ? qps / 4 : 50,
        globalBurst: qps > 0 ? Math.max(1, Math.floor(burst / 4)) : 100,
        ...opts.eventOptions,
      });
    }
    const challengeController = setupChallengeController({
      newInformer,
      resyncMs,
      events: this.events,
      client: new KubeClient(this.rest),
      clock: this.clock,
      log: this.log,
      metrics: this.metrics,
      workers: this.flags.maxConcurrentReconciles,
      options: {
        pendingTimeoutMs: this.flags.pendingTimeoutMs,
        challengeTtlMs: this.flags.challengeTtlMs,
        maxPerUser: this.flags.maxPerUser,
        quotaWaitTimeoutMs: this.flags.quotaWaitTimeoutMs,
        deleteOnError: this.flags.deleteOnError,
        childPolicy: {
          allowLoadBalancer: this.flags.allowLoadBalancer,
          allowedCapabilities: capabilityList(this.flags.allowedCapabilities),
        },
        isolation: {
          enabled: this.flags.networkPolicy,
          internalCidrs: cidrList(this.flags.internalCidrs, 'internal-cidrs'),
          egressAllowCidrs: cidrList(this.flags.egressAllowCidrs, 'egress-allow-cidrs'),
          ingressAllowCidrs: cidrList(this.flags.ingressAllowCidrs, 'ingress-allow-cidrs'),
          allowDns: true,
        },
      },
    });
    this.caches = challengeController.caches;
    this.controller = challengeController.controller;
    this.informers = Object.values(this.caches);
    const c = this.caches;
    this.collector = new ChallengeCollector(
      {
        challenges: () => c.challenges.list(),
        get: (key) => c.challenges.get(key),
        definitions: () => c.definitions.list(),
        definition: (namespace, name) => c.definitions.get(`${namespace}/${name}`),
      },
      this.clock,
      this.flags.deletedSeriesRetentionMs
    );
    const store =
      opts.seriesStateStore ??
      (this.flags.seriesStateConfigMap
        ? configMapStore(this.rest, this.flags.leaderElectionNamespace, this.flags.seriesStateConfigMap)
        : undefined);
    if (store) {
      this.seriesKeeper = new SeriesKeeper(this.collector, store, this.clock, this.log, {
        flushIntervalMs: opts.seriesStateFlushMs ?? 5000,
        retentionMs: this.flags.deletedSeriesRetentionMs,
        namespaces,
      });
    }
    // The lifecycle series exist at 0 before their first observation (ControllerMetrics.lifecycleDefinition); every
    // replica creates them, so a new leader's first scrape already has them.
    for (const namespace of namespaces) {
      this.metrics.lifecycleNamespace(namespace);
    }
    c.definitions.addHandlers({
      onAdd: (d) => this.metrics.lifecycleDefinition(d.metadata.namespace!, d.metadata.name),
    });
    // Deleted Challenges keep their series (value 2) for --deleted-series-retention.
    c.challenges.addHandlers({
      onAdd: () => this.seriesKeeper?.markDirty(),
      onDelete: (ch) => {
        this.collector.onDeleted(ch);
        this.seriesKeeper?.markDirty();
      },
    });
    if (this.flags.leaderElect) {
      this.elector = new LeaderElector({
        store: kubeLeaseStore(this.controlRest, this.flags.leaderElectionNamespace, this.flags.leaderElectionId),
        name: this.flags.leaderElectionId,
        namespace: this.flags.leaderElectionNamespace,
        identity: this.identity,
        leaseDurationMs: this.flags.leaseDurationMs,
        clock: this.clock,
        log: this.log,
        onStartedLeading: () => this.startLeading(),
        onStoppedLeading: () => void this.stopLeading(),
      });
    }
    this.metrics.leaderStatus.set({ name: this.flags.leaderElectionId }, 0);
  }

  /** Starts informers, servers and (after leader election, if enabled) the controller. */
  async start(): Promise<void> {
    for (const inf of this.informers) {
      inf.start();
    }
    const f = this.flags;
    if (f.metricsBindAddress !== '0') {
      const tls = f.metricsSecure ? servingCert(f.metricsCertDir) : undefined;
      this.metricsServer = await listen(
        f.metricsBindAddress,
        { '/metrics': (req, res) => this.serveMetrics(req, res) },
        { tls }
      );
    }
    if (f.healthProbeBindAddress !== '0') {
      this.healthServer = await listen(f.healthProbeBindAddress, {
        '/healthz': (_q, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'),
        '/readyz': async (_q, res) => {
          const waiting = this.informers.filter((i) => !i.hasSynced()).map((i) => i.name);
          const apiserver = waiting.length ? undefined : await this.apiserverHealth.check();
          if (waiting.length) {
            res.writeHead(503, { 'content-type': 'text/plain' }).end(`caches not synced: ${waiting.join(', ')}\n`);
          } else if (apiserver) {
            res.writeHead(503, { 'content-type': 'text/plain' }).end(`${apiserver}\n`);
          } else {
            res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
          }
        },
      });
    }
    await this.waitForSyncOrFail();
    this.log.info('caches synced', { namespace: f.namespace || '(all)' });
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

  /** Reconciles every cached Challenge again now (what the periodic resync does); for tests that move the clock. */
  enqueueAll(): void {
    for (const ch of this.caches.challenges.list()) {
      this.controller.enqueue(objectKey(ch));
    }
  }

  get metricsUrl(): string | undefined {
    return this.metricsServer && `${this.metricsServer.url}/metrics`;
  }

  get healthUrl(): string | undefined {
    return this.healthServer?.url;
  }

  /** The full /metrics text: prom-client's registry plus the challenge series (leader only). */
  async renderMetrics(): Promise<string> {
    let body = await this.metrics.registry.metrics();
    if (this.leading) {
      await this.collector.renderTo((chunk) => (body += chunk.toString()));
    }
    return body;
  }

  private async serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.metricsAuth) {
      const verdict = await this.metricsAuth.check(req);
      if (verdict.status !== 200) {
        res.writeHead(verdict.status, { 'content-type': 'text/plain' }).end(`${verdict.reason}\n`);
        return;
      }
    }
    await sendRendered(
      await this.metricsText.get(),
      req.headers['accept-encoding'],
      this.metrics.registry.contentType,
      res
    );
  }

  /** The kept series state is restored first, so the first scrape with Challenge series already has it. */
  private startLeading(): void {
    if (this.stopping || this.leading || this.becomingLeader) {
      return;
    }
    this.becomingLeader = (async () => {
      await this.seriesKeeper?.restore();
      this.becomingLeader = undefined;
      if (this.stopping) {
        return;
      }
      this.leading = true;
      this.metrics.leaderStatus.set({ name: this.flags.leaderElectionId }, 1);
      this.events?.start();
      this.controller.start();
      this.seriesKeeper?.start();
    })();
  }

  /** `graceful`: this replica stops on its own (it writes the series state a last time); not when the lease was lost. */
  private async stopLeading(graceful = false): Promise<void> {
    await this.becomingLeader;
    if (!this.leading) {
      return;
    }
    this.leading = false;
    this.metrics.leaderStatus.set({ name: this.flags.leaderElectionId }, 0);
    await this.controller.stop();
    // Only the leader records: a lost lease drops what waits, a graceful stop writes it (bounded).
    await this.events?.stop(graceful);
    await this.seriesKeeper?.stop(graceful);
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
      await this.events?.stop();
      await Promise.all([this.rest.close(), this.controlRest.close()]);
    })();
    return this.stopping;
  }
}

export async function startManager(opts: ManagerOptions): Promise<Manager> {
  const m = new Manager(opts);
  await m.start();
  return m;
}

/** --metrics-cert-dir's tls.crt and tls.key, or a self-signed certificate for this pod. */
function servingCert(dir: string): { cert: string; key: string } {
  if (dir) {
    return { cert: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') };
  }
  return selfSignedCert('challenge-operator-metrics', [hostname(), 'localhost', '127.0.0.1', '::1']);
}
