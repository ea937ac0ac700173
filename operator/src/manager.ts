// Wires informers, the Challenge controller, leader election, metrics and probes. Usable in-process (tests,
// benchmarks) through startManager(); src/main.ts is the CLI around it.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  ANNOTATION_CHALLENGE, LABEL_MANAGED_BY, LABEL_USER, MANAGED_BY, objectKey,
  type Challenge, type ChallengeDefinition, type KubeObject,
} from './api/types.ts';
import { realClock, type Clock } from './clock.ts';
import { Controller } from './controller/controller.ts';
import {
  INDEX_DEFINITION, INDEX_OWNER, INDEX_USER, Reconciler, challengeKeyOfChild, type Caches, type Logger,
} from './controller/reconciler.ts';
import { parseFlags, validate, type Flags } from './flags.ts';
import { KubeClient } from './kube/client.ts';
import type { KubeConfigLike } from './kube/kubeconfig.ts';
import { rateLimiter } from './kube/rate-limiter.ts';
import { RestClient } from './kube/rest.ts';
import { projectCustom, projectDeployment, projectPod, projectService } from './controller/projections.ts';
import { ApiserverHealth } from './kube/apiserver-health.ts';
import { Informer } from './kube/informer.ts';
import { LeaderElector, kubeLeaseStore } from './kube/leader-election.ts';
import { kubeListWatch, type ResourceRef } from './kube/list-watch.ts';
import { silentLogger } from './log.ts';
import { ChallengeCollector } from './metrics/challenge-collector.ts';
import { ControllerMetrics } from './metrics/controller-metrics.ts';
import { listen, type BoundServer } from './server/http-server.ts';

export const CONTROLLER_NAME = 'challenge';

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
}

const REFS: Record<string, ResourceRef> = {
  challenges: { group: 'apps.hexactf.io', version: 'v1alpha1', kind: 'Challenge', plural: 'challenges' },
  definitions: { group: 'apps.hexactf.io', version: 'v1alpha1', kind: 'ChallengeDefinition', plural: 'challengedefinitions' },
  deployments: { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments' },
  services: { group: '', version: 'v1', kind: 'Service', plural: 'services' },
  pods: { group: '', version: 'v1', kind: 'Pod', plural: 'pods' },
};

export class Manager {
  readonly flags: Flags;
  readonly clock: Clock;
  readonly log: Logger;
  readonly identity: string;
  readonly caches: Caches;
  readonly metrics: ControllerMetrics;
  readonly collector: ChallengeCollector;
  readonly controller: Controller;
  private readonly elector?: LeaderElector;
  private readonly informers: Informer<any>[];
  private readonly apiserverHealth: ApiserverHealth;
  private metricsServer?: BoundServer;
  private healthServer?: BoundServer;
  private leading = false;
  private stopping?: Promise<void>;
  private readonly cacheSyncTimeoutMs: number;
  /** Every request of the controller and its informers goes through this client and its rate limit. */
  readonly rest: RestClient;
  private readonly leaseRest: RestClient;

  constructor(opts: ManagerOptions) {
    this.flags = { ...parseFlags([], {}), ...opts.flags };
    validate(this.flags);
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? silentLogger;
    this.identity = opts.identity ?? `${hostname()}_${randomUUID()}`;
    this.cacheSyncTimeoutMs = opts.cacheSyncTimeoutMs ?? 120_000;
    const kc = opts.kubeConfig;
    this.rest = new RestClient(kc, { limiter: rateLimiter(this.flags.kubeApiQps, this.flags.kubeApiBurst) });
    // Lease renewals get a budget of their own (as client-go's leader election uses its own client): a queue of
    // writes must not cost the leadership.
    this.leaseRest = new RestClient(kc, { limiter: rateLimiter(this.flags.kubeApiQps, this.flags.kubeApiBurst) });
    const ns = this.flags.namespace;
    const resyncMs = opts.resyncMs ?? 10 * 60_000;
    const informerLog = (msg: string, fields?: Record<string, unknown>) => this.log.warn(msg, fields);
    const transforms: Record<string, (o: any) => any> = {
      challenges: projectCustom, definitions: projectCustom, deployments: projectDeployment, services: projectService, pods: projectPod,
    };
    const mk = <T extends KubeObject>(name: string, labelSelector?: string, resync = 0) =>
      new Informer<T>(kubeListWatch<T>(this.rest, REFS[name], { namespace: ns, labelSelector }), { name, clock: this.clock, resyncMs: resync, log: informerLog, transform: transforms[name] });
    const owned = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;
    this.caches = {
      challenges: mk<Challenge>('challenges', undefined, resyncMs),
      definitions: mk<ChallengeDefinition>('definitions'),
      deployments: mk('deployments', owned),
      services: mk('services', owned),
      pods: mk('pods', owned),
    };
    this.informers = Object.values(this.caches);
    this.apiserverHealth = new ApiserverHealth(this.rest, { clock: this.clock });
    const c = this.caches;
    c.challenges.addIndex(INDEX_DEFINITION, (ch) => [`${ch.metadata.namespace}/${ch.spec?.definition}`]);
    c.challenges.addIndex(INDEX_USER, (ch) => (ch.metadata.labels?.[LABEL_USER] ? [ch.metadata.labels[LABEL_USER]] : []));
    c.deployments.addIndex(INDEX_OWNER, challengeKeyOfChild);
    c.services.addIndex(INDEX_OWNER, challengeKeyOfChild);
    c.pods.addIndex(INDEX_OWNER, (p) => {
      const name = p.metadata.annotations?.[ANNOTATION_CHALLENGE];
      return name && p.metadata.namespace ? [`${p.metadata.namespace}/${name}`] : [];
    });

    this.metrics = new ControllerMetrics(opts.defaultMetrics ?? true);
    this.collector = new ChallengeCollector(
      {
        challenges: () => c.challenges.list(),
        get: (key) => c.challenges.get(key),
        definitions: () => c.definitions.list(),
        definition: (namespace, name) => c.definitions.get(`${namespace}/${name}`),
      },
      this.clock,
      this.flags.deletedSeriesRetentionMs,
    );
    const reconciler = new Reconciler({
      caches: c,
      client: new KubeClient(this.rest),
      clock: this.clock,
      log: this.log,
      recorder: this.metrics,
      opts: {
        pendingTimeoutMs: this.flags.pendingTimeoutMs,
        challengeTtlMs: this.flags.challengeTtlMs,
        maxPerUser: this.flags.maxPerUser,
        deleteOnError: this.flags.deleteOnError,
      },
    });
    this.controller = new Controller({
      name: CONTROLLER_NAME,
      workers: this.flags.maxConcurrentReconciles,
      clock: this.clock,
      metrics: this.metrics,
      log: this.log,
      reconcile: (key) => reconciler.reconcile(key),
      keys: () => [...c.challenges.list()].map(objectKey),
    });
    this.wireEvents();

    if (this.flags.leaderElect) {
      this.elector = new LeaderElector({
        store: kubeLeaseStore(this.leaseRest, this.flags.leaderElectionNamespace, this.flags.leaderElectionId),
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

  private wireEvents(): void {
    const c = this.caches;
    const enqueue = (key: string) => this.controller.enqueue(key);
    const challengeEvent = (ch: Challenge) => {
      enqueue(objectKey(ch));
      // A user's instance count changed: waiting instances of that user may be admitted now.
      const user = ch.metadata.labels?.[LABEL_USER];
      if (this.flags.maxPerUser > 0 && user) for (const other of c.challenges.byIndex(INDEX_USER, user)) enqueue(objectKey(other));
    };
    c.challenges.addHandlers({
      onAdd: challengeEvent,
      onUpdate: (_old, ch) => enqueue(objectKey(ch)),
      onDelete: (ch) => {
        this.collector.onDeleted(ch);
        challengeEvent(ch);
      },
    });
    const definitionEvent = (def: ChallengeDefinition) => {
      for (const ch of c.challenges.byIndex(INDEX_DEFINITION, objectKey(def))) enqueue(objectKey(ch));
    };
    c.definitions.addHandlers({ onAdd: definitionEvent, onUpdate: (_o, d) => definitionEvent(d), onDelete: definitionEvent });
    for (const inf of [c.deployments, c.services]) {
      const childEvent = (o: KubeObject) => challengeKeyOfChild(o).forEach(enqueue);
      inf.addHandlers({ onAdd: childEvent, onUpdate: (_o, n) => childEvent(n), onDelete: childEvent });
    }
    const podEvent = (p: KubeObject) => {
      const name = p.metadata.annotations?.[ANNOTATION_CHALLENGE];
      if (name && p.metadata.namespace) enqueue(`${p.metadata.namespace}/${name}`);
    };
    c.pods.addHandlers({ onAdd: podEvent, onUpdate: (_o, n) => podEvent(n), onDelete: podEvent });
  }

  /** Starts informers, servers and (after leader election, if enabled) the controller. */
  async start(): Promise<void> {
    for (const inf of this.informers) inf.start();
    const f = this.flags;
    if (f.metricsBindAddress !== '0') this.metricsServer = await listen(f.metricsBindAddress, { '/metrics': (_q, res) => this.serveMetrics(res) });
    if (f.healthProbeBindAddress !== '0') {
      this.healthServer = await listen(f.healthProbeBindAddress, {
        '/healthz': (_q, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'),
        '/readyz': async (_q, res) => {
          const waiting = this.informers.filter((i) => !i.hasSynced()).map((i) => i.name);
          const apiserver = waiting.length ? undefined : await this.apiserverHealth.check();
          if (waiting.length) res.writeHead(503, { 'content-type': 'text/plain' }).end(`caches not synced: ${waiting.join(', ')}\n`);
          else if (apiserver) res.writeHead(503, { 'content-type': 'text/plain' }).end(`${apiserver}\n`);
          else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        },
      });
    }
    await this.waitForSyncOrFail();
    this.log.info('caches synced', { namespace: f.namespace || '(all)' });
    if (this.stopping) return;
    if (this.elector) this.elector.start();
    else this.startLeading();
  }

  /** Like controller-runtime's CacheSyncTimeout: a cache that cannot list (RBAC, CRD missing) fails the start. */
  private async waitForSyncOrFail(): Promise<void> {
    if (!this.cacheSyncTimeoutMs) return this.waitForSync();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.cacheSyncTimeoutMs);
    });
    const outcome = await Promise.race([this.waitForSync(), timeout]);
    clearTimeout(timer);
    if (outcome !== 'timeout') return;
    const waiting = this.informers.filter((i) => !i.hasSynced()).map((i) => `${i.name}${i.lastError ? ` (${i.lastError})` : ''}`);
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
    for (const ch of this.caches.challenges.list()) this.controller.enqueue(objectKey(ch));
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
    if (this.leading) await this.collector.renderTo((chunk) => (body += chunk.toString()));
    return body;
  }

  /** Streams the same text as renderMetrics(): the challenge series go out in slices, between which the event loop runs. */
  private async serveMetrics(res: import('node:http').ServerResponse): Promise<void> {
    const base = await this.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
    res.write(base);
    if (this.leading) await this.collector.renderTo((chunk) => res.write(chunk));
    res.end();
  }

  private startLeading(): void {
    if (this.stopping || this.leading) return;
    this.leading = true;
    this.metrics.leaderStatus.set({ name: this.flags.leaderElectionId }, 1);
    this.controller.start();
  }

  private async stopLeading(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.metrics.leaderStatus.set({ name: this.flags.leaderElectionId }, 0);
    await this.controller.stop();
  }

  /** Graceful stop: finish in-flight reconciles, release the lease, close servers, stop informers. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.stopLeading();
      await this.elector?.stop();
      await Promise.all([this.metricsServer?.close(), this.healthServer?.close()]);
      for (const inf of this.informers) inf.stop();
      await Promise.all([this.rest.close(), this.leaseRest.close()]);
    })();
    return this.stopping;
  }
}

export async function startManager(opts: ManagerOptions): Promise<Manager> {
  const m = new Manager(opts);
  await m.start();
  return m;
}

