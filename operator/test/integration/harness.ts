// Integration fixture: one namespace per test on the shared real kube-apiserver, an in-process operator
// watching only that namespace, and the helpers a test needs to play kubelet (there is none: tests move
// Deployment and Pod status themselves, as envtest users do).
import { setTimeout as sleep } from 'node:timers/promises';
import { STATUS_METRIC } from '@hexactf/contract';
import {
  AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig,
} from '@kubernetes/client-node';
import { connectTestEnv, createTestNamespace } from '../support/test-env.ts';
import { OffsetClock } from '../../src/clock.ts';
import { startManager, type Manager } from '../../src/manager.ts';
import { makeLogger, silentLogger } from '../../src/log.ts';
import type { Flags } from '../../src/flags.ts';
import type { Challenge, ChallengeDefinition, State } from '../../src/api/types.ts';

const G = { group: 'apps.hexactf.io', version: 'v1alpha1' };
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let shared: Promise<KubeConfig> | undefined;
export function testKubeConfig(): Promise<KubeConfig> {
  shared ??= Promise.resolve(connectTestEnv()).then((env) => env.kubeConfig);
  return shared;
}

export function defaultFlags(namespace: string): Partial<Flags> {
  return {
    namespace,
    metricsBindAddress: '127.0.0.1:0',
    healthProbeBindAddress: '127.0.0.1:0',
    pendingTimeoutMs: 60_000,
    challengeTtlMs: 0,
    deletedSeriesRetentionMs: 10_000,
    maxConcurrentReconciles: 2,
  };
}

export interface DefinitionOptions {
  isOne?: boolean;
  category?: string;
  image?: string;
  nodePort?: number;
  withDb?: boolean;
  containerExtra?: Record<string, unknown>;
}

export function definitionSpec(o: DefinitionOptions = {}): ChallengeDefinition['spec'] {
  const components: ChallengeDefinition['spec']['components'] = [
    {
      name: 'web',
      deployment: {
        spec: {
          replicas: 1,
          template: {
            spec: {
              containers: [{
                name: 'web', image: o.image ?? 'nginx:1.27',
                ports: [{ containerPort: 80 }],
                resources: { requests: { cpu: '100m', memory: '64Mi' } },
                ...(o.containerExtra ?? {}),
              }],
            },
          },
        },
      },
      service: { spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 80, ...(o.nodePort ? { nodePort: o.nodePort } : {}) }] } },
    },
  ];
  if (o.withDb) {
    components.push({
      name: 'db',
      deployment: { spec: { replicas: 2, template: { spec: { containers: [{ name: 'db', image: 'redis:7', resources: { requests: { cpu: '50m', memory: '32Mi' } } }] } } } },
    });
  }
  return { isOne: o.isOne ?? false, category: o.category ?? 'web', components };
}

export class Fixture {
  readonly kc: KubeConfig;
  readonly ns: string;
  readonly apps: AppsV1Api;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly clock = new OffsetClock();
  manager?: Manager;
  private flags: Partial<Flags>;

  private constructor(kc: KubeConfig, ns: string, flags: Partial<Flags>) {
    this.kc = kc;
    this.ns = ns;
    this.flags = flags;
    this.apps = kc.makeApiClient(AppsV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  /** A fresh namespace and (unless start is false) a running operator scoped to it. */
  static async create(prefix: string, flags: Partial<Flags> = {}, start = true): Promise<Fixture> {
    const kc = await testKubeConfig();
    const ns = await createTestNamespace(kc, prefix);
    const f = new Fixture(kc, ns, { ...defaultFlags(ns), ...flags });
    if (start) await f.startManager();
    return f;
  }

  async startManager(flags: Partial<Flags> = {}, identity?: string): Promise<Manager> {
    const log = process.env.HEXACTF_TEST_LOG ? makeLogger('debug') : silentLogger;
    this.manager = await startManager({
      kubeConfig: this.kc,
      flags: { ...this.flags, ...flags },
      clock: this.clock,
      log,
      identity,
      defaultMetrics: false,
    });
    return this.manager;
  }

  async stopManager(): Promise<void> {
    await this.manager?.stop();
    this.manager = undefined;
  }

  async close(): Promise<void> {
    await this.stopManager();
  }

  // ---- custom resources

  async createDefinition(name: string, spec: ChallengeDefinition['spec'] = definitionSpec()): Promise<ChallengeDefinition> {
    return (await this.custom.createNamespacedCustomObject({
      ...G, namespace: this.ns, plural: 'challengedefinitions',
      body: { apiVersion: 'apps.hexactf.io/v1alpha1', kind: 'ChallengeDefinition', metadata: { name }, spec },
    })) as ChallengeDefinition;
  }

  async createChallenge(name: string, o: { user: string; challengeId?: string; definition: string }): Promise<Challenge> {
    return (await this.custom.createNamespacedCustomObject({
      ...G, namespace: this.ns, plural: 'challenges',
      body: {
        apiVersion: 'apps.hexactf.io/v1alpha1', kind: 'Challenge',
        metadata: { name, labels: { 'apps.hexactf.io/challengeId': o.challengeId ?? '1', 'apps.hexactf.io/user': o.user } },
        spec: { definition: o.definition },
      },
    })) as Challenge;
  }

  async getChallenge(name: string): Promise<Challenge | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ ...G, namespace: this.ns, plural: 'challenges', name })) as Challenge;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  async deleteChallenge(name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({ ...G, namespace: this.ns, plural: 'challenges', name });
  }

  async waitForState(name: string, state: State, timeoutMs = 15_000): Promise<Challenge> {
    return waitFor(`challenge ${name} in state ${state}`, async () => {
      const ch = await this.getChallenge(name);
      return ch?.status?.currentStatus?.state === state ? ch : undefined;
    }, timeoutMs);
  }

  async waitForGone(name: string, timeoutMs = 15_000): Promise<void> {
    await waitFor(`challenge ${name} gone`, async () => ((await this.getChallenge(name)) ? undefined : true), timeoutMs);
  }

  // ---- children

  async deploymentsOf(ch: Challenge) {
    const list = await this.apps.listNamespacedDeployment({ namespace: this.ns, labelSelector: `apps.hexactf.io/owner-uid=${ch.metadata.uid}` });
    return list.items;
  }

  async servicesOf(ch: Challenge) {
    const list = await this.core.listNamespacedService({ namespace: this.ns, labelSelector: `apps.hexactf.io/owner-uid=${ch.metadata.uid}` });
    return list.items;
  }

  async allChildren() {
    const sel = 'app.kubernetes.io/managed-by=hexactf-challenge-operator';
    const [d, s] = await Promise.all([
      this.apps.listNamespacedDeployment({ namespace: this.ns, labelSelector: sel }),
      this.core.listNamespacedService({ namespace: this.ns, labelSelector: sel }),
    ]);
    return [...d.items, ...s.items];
  }

  /** Waits for the operator to create the Challenge's Deployments (count), then returns them. */
  async waitForDeployments(name: string, count: number) {
    return waitFor(`${count} deployment(s) of ${name}`, async () => {
      const ch = await this.getChallenge(name);
      if (!ch) return undefined;
      const ds = await this.deploymentsOf(ch);
      return ds.length === count ? ds : undefined;
    });
  }

  /** Plays the Deployment controller: reports every replica available. */
  async markAvailable(deploymentName: string): Promise<void> {
    const d = await this.apps.readNamespacedDeployment({ name: deploymentName, namespace: this.ns });
    const n = d.spec?.replicas ?? 1;
    await this.apps.patchNamespacedDeploymentStatus(
      {
        name: deploymentName, namespace: this.ns,
        body: { status: { observedGeneration: d.metadata?.generation, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n } },
      },
      merge,
    );
  }

  async markAllAvailable(name: string, count: number): Promise<void> {
    for (const d of await this.waitForDeployments(name, count)) await this.markAvailable(d.metadata!.name!);
  }

  /** Plays the kubelet: a pod of the Deployment whose container waits with the given reason. */
  async createWaitingPod(deploymentName: string, reason: string, message = `${reason} for test`): Promise<void> {
    const d = await this.apps.readNamespacedDeployment({ name: deploymentName, namespace: this.ns });
    const tmpl = d.spec!.template;
    const podName = `${deploymentName}-pod`;
    await this.core.createNamespacedPod({
      namespace: this.ns,
      body: { metadata: { name: podName, labels: tmpl.metadata?.labels, annotations: tmpl.metadata?.annotations }, spec: tmpl.spec! },
    });
    const containerName = tmpl.spec!.containers[0].name;
    await this.core.patchNamespacedPodStatus(
      {
        name: podName, namespace: this.ns,
        body: {
          status: {
            phase: 'Pending',
            containerStatuses: [{
              name: containerName, image: tmpl.spec!.containers[0].image, imageID: '', ready: false, restartCount: 0,
              state: { waiting: { reason, message } },
            }],
          },
        },
      },
      merge,
    );
  }

  // ---- metrics

  async scrapeText(): Promise<string> {
    const res = await fetch(this.manager!.metricsUrl!);
    if (!res.ok) throw new Error(`scrape failed: ${res.status}`);
    return res.text();
  }

  /** challenge_resource_status series as "labels -> value". */
  async statusSeries(): Promise<Map<string, string>> {
    return parseSeries(await this.scrapeText(), STATUS_METRIC);
  }
}

export function parseSeries(text: string, metric: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric + '{')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(metric.length, i), line.slice(i + 1));
  }
  return out;
}

export function seriesKey(o: { challengeId?: string; name: string; user: string; ns: string }): string {
  return `{challenge_id="${o.challengeId ?? '1'}",challenge_name="${o.name}",username="${o.user}",namespace="${o.ns}"}`;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`);
    await sleep(50);
  }
}
