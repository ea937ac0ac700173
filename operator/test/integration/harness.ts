// Integration fixture: one namespace per test on the shared real kube-apiserver, an in-process operator
// watching only that namespace, and the helpers a test needs to play kubelet (there is none: tests move
// Deployment and Pod status themselves, as envtest users do).
import { CONTROLLER_METRICS, STATUS_METRIC } from '@hexactf/contract';
import { waitFor } from '@hexactf/testing/wait';
import type { KubeConfig } from '@kubernetes/client-node';
import { ChallengeClient } from '@hexactf/testing/challenge-client';
import { connectTestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { OffsetClock } from '../../src/clock.ts';
import type { ChallengeController } from '../../src/controller/setup.ts';
import type { Manager } from '../../src/manager.ts';
import { startOperator } from '../../src/operator.ts';
import { makeLogger, silentLogger } from '../../src/log.ts';
import type { Flags } from '../../src/flags.ts';
import type { ChallengeDefinition } from '../../src/api/types.ts';

/** Re-exported for tests written against this harness; its one home is @hexactf/testing/wait. */
export { waitFor } from '@hexactf/testing/wait';

let shared: Promise<KubeConfig> | undefined;
function testKubeConfig(): Promise<KubeConfig> {
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

interface DefinitionOptions {
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
              containers: [
                {
                  name: 'web',
                  image: o.image ?? 'nginx:1.27',
                  ports: [{ containerPort: 80 }],
                  resources: { requests: { cpu: '100m', memory: '64Mi' } },
                  ...(o.containerExtra ?? {}),
                },
              ],
            },
          },
        },
      },
      service: {
        spec: {
          type: 'NodePort',
          ports: [{ port: 80, targetPort: 80, ...(o.nodePort ? { nodePort: o.nodePort } : {}) }],
        },
      },
    },
  ];
  if (o.withDb) {
    components.push({
      name: 'db',
      deployment: {
        spec: {
          replicas: 2,
          template: {
            spec: {
              containers: [{ name: 'db', image: 'redis:7', resources: { requests: { cpu: '50m', memory: '32Mi' } } }],
            },
          },
        },
      },
    });
  }
  return { isOne: o.isOne ?? false, category: o.category ?? 'web', components };
}

export class Fixture extends ChallengeClient {
  readonly clock = new OffsetClock();
  manager?: Manager;
  /** The Challenge controller the manager runs (its caches, collector, series keeper). */
  challengeController?: ChallengeController;
  private flags: Partial<Flags>;

  private constructor(kc: KubeConfig, ns: string, flags: Partial<Flags>) {
    super(kc, ns);
    this.flags = flags;
  }

  /** A fresh namespace and (unless start is false) a running operator scoped to it. */
  static async create(prefix: string, flags: Partial<Flags> = {}, start = true): Promise<Fixture> {
    const kc = await testKubeConfig();
    const ns = await createTestNamespace(kc, prefix);
    const f = new Fixture(kc, ns, { ...defaultFlags(ns), ...flags });
    if (start) {
      await f.startManager();
    }
    return f;
  }

  async startManager(flags: Partial<Flags> = {}, identity?: string): Promise<Manager> {
    const log = process.env.HEXACTF_TEST_LOG ? makeLogger('debug') : silentLogger;
    const { manager, challenges } = await startOperator({
      kubeConfig: this.kc,
      flags: { ...this.flags, ...flags },
      clock: this.clock,
      log,
      identity,
      defaultMetrics: false,
    });
    this.manager = manager;
    this.challengeController = challenges;
    return manager;
  }

  async stopManager(): Promise<void> {
    await this.manager?.stop();
    this.manager = undefined;
    this.challengeController = undefined;
  }

  async close(): Promise<void> {
    await this.stopManager();
  }

  createDefinition(name: string, spec: ChallengeDefinition['spec'] = definitionSpec()): Promise<ChallengeDefinition> {
    return super.createDefinition(name, spec);
  }

  // ---- the operator at rest

  /** Sum of a metric's series in the in-process operator's registry. */
  private async metricTotal(name: string): Promise<number> {
    const metric = this.manager!.metrics.registry.getSingleMetric(name);
    return ((await metric?.get())?.values ?? []).reduce((sum, v) => sum + v.value, 0);
  }

  private async idle(): Promise<boolean> {
    const busy =
      (await this.metricTotal(CONTROLLER_METRICS.queueDepth)) +
      (await this.metricTotal(CONTROLLER_METRICS.activeWorkers));
    return busy === 0;
  }

  /**
   * Runs `change`, then waits until the operator has reconciled after it and has nothing queued or running: what a
   * test waits for before asserting that a change changed nothing.
   */
  async settledAfter(change: () => unknown): Promise<void> {
    await waitFor('the operator idle before the change', () => this.idle());
    const before = await this.metricTotal(CONTROLLER_METRICS.reconcileTotal);
    await change();
    await waitFor(
      'a reconcile after the change, then nothing queued or running',
      async () => (await this.metricTotal(CONTROLLER_METRICS.reconcileTotal)) > before && (await this.idle())
    );
  }

  // ---- metrics

  async scrapeText(): Promise<string> {
    const res = await fetch(this.manager!.metricsUrl!);
    if (!res.ok) {
      throw new Error(`scrape failed: ${res.status}`);
    }
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
    if (!line.startsWith(metric + '{')) {
      continue;
    }
    const i = line.lastIndexOf(' ');
    out.set(line.slice(metric.length, i), line.slice(i + 1));
  }
  return out;
}

export function seriesKey(o: { challengeId?: string; name: string; user: string; ns: string }): string {
  return `{challenge_id="${o.challengeId ?? '1'}",challenge_name="${o.name}",username="${o.user}",namespace="${o.ns}"}`;
}
