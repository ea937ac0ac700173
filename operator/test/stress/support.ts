// Helpers for the stress suite: a private control plane (for tests that stop servers or load the apiserver hard),
// the operator CLI as a child process (so it can be SIGKILLed like a pod), and small kube helpers that work on
// any env (test/integration/harness.ts is bound to the shared one).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { ChallengeClient } from '@hexactf/testing/challenge-client';
import { waitFor } from '@hexactf/testing/wait';
import { startTestEnv, type TestEnv, type TestEnvOptions } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { definitionSpec, parseSeries } from '../integration/harness.ts';

export { definitionSpec, parseSeries };
/** Re-exported for tests written against this module; its one home is @hexactf/testing/wait. */
export { waitFor };

const MAIN = resolve(import.meta.dirname, '../../src/main.ts');

/** A private etcd + kube-apiserver with the chart's CRDs installed. */
export async function privateEnv(options?: TestEnvOptions): Promise<TestEnv> {
  const env = await startTestEnv(options);
  try {
    await env.installCrds();
  } catch (err) {
    await env.stop();
    throw err;
  }
  return env;
}

/** The operator CLI (src/main.ts) as a child process, as a pod would run it. */
export class OperatorProcess {
  readonly child: ChildProcess;
  log = '';
  metricsUrl = '';
  healthUrl = '';
  private exited: Promise<unknown>;

  private constructor(child: ChildProcess) {
    this.child = child;
    this.exited = once(child, 'exit');
    child.stderr!.on('data', (b) => (this.log += b));
  }

  static async start(kubeconfigPath: string, args: string[], timeoutMs = 30_000): Promise<OperatorProcess> {
    const child = spawn(
      process.execPath,
      [
        MAIN,
        '--kubeconfig',
        kubeconfigPath,
        '--metrics-bind-address=127.0.0.1:0',
        '--health-probe-bind-address=127.0.0.1:0',
        '--log-level=info',
        ...args,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] }
    );
    const op = new OperatorProcess(child);
    try {
      const started = await waitFor(
        'operator started',
        async () => {
          if (child.exitCode !== null) {
            throw new Error(`operator exited ${child.exitCode}:\n${op.log.slice(-3000)}`);
          }
          const line = op.log.split('\n').find((l) => l.includes('"operator started"'));
          return line ? (JSON.parse(line) as { metrics: string; health: string }) : undefined;
        },
        timeoutMs
      );
      op.metricsUrl = started.metrics;
      op.healthUrl = started.health;
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n${op.log.slice(-3000)}`);
    }
    return op;
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.alive()) {
      return;
    }
    this.child.kill(signal);
    await this.exited;
  }

  async scrape(): Promise<string> {
    const res = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) {
      throw new Error(`scrape: ${res.status}`);
    }
    return res.text();
  }

  async readyz(): Promise<number> {
    return (await fetch(`${this.healthUrl}/readyz`, { signal: AbortSignal.timeout(5000) })).status;
  }

  async healthz(): Promise<number> {
    return (await fetch(`${this.healthUrl}/healthz`, { signal: AbortSignal.timeout(5000) })).status;
  }
}

/** Sum of every series of a metric whose label set contains all of `has` (substrings like 'result="error"'). */
export function metricSum(text: string, metric: string, ...has: string[]): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric + '{') && !line.startsWith(metric + ' ')) {
      continue;
    }
    const i = line.lastIndexOf(' ');
    if (has.every((h) => line.slice(0, i).includes(h))) {
      sum += Number(line.slice(i + 1));
    }
  }
  return sum;
}

/** The Challenge test client on one namespace of any env, with the stress suite's consistency check. */
export class Kube extends ChallengeClient {
  static async create(kc: KubeConfig, prefix: string): Promise<Kube> {
    return new Kube(kc, await createTestNamespace(kc, prefix));
  }

  createDefinition(name: string, spec = definitionSpec()) {
    return super.createDefinition(name, spec);
  }

  /**
   * Children against their owners: every operator-managed Deployment and Service must belong to a live Challenge
   * (no orphan) and no Challenge may own two children of one kind and component (no duplicate).
   */
  async childReport(): Promise<{ orphans: string[]; duplicates: string[]; perChallenge: Map<string, number> }> {
    const live = new Map((await this.challenges()).map((c) => [c.metadata.uid!, c.metadata.name]));
    const orphans: string[] = [];
    const duplicates: string[] = [];
    const perChallenge = new Map<string, number>();
    const seen = new Set<string>();
    const children = [
      ...(await this.deployments()).map((o) => ['Deployment', o] as const),
      ...(await this.services()).map((o) => ['Service', o] as const),
    ];
    for (const [kind, o] of children) {
      const uid = o.metadata!.labels?.['apps.hexactf.io/owner-uid'] ?? '';
      const owner = live.get(uid);
      if (!owner || o.metadata!.deletionTimestamp) {
        if (!o.metadata!.deletionTimestamp) {
          orphans.push(`${kind} ${o.metadata!.name}`);
        }
        continue;
      }
      const slot = `${kind}/${uid}/${o.metadata!.labels?.['apps.hexactf.io/component']}`;
      if (seen.has(slot)) {
        duplicates.push(`${kind} ${o.metadata!.name} (owner ${owner})`);
      }
      seen.add(slot);
      perChallenge.set(owner, (perChallenge.get(owner) ?? 0) + 1);
    }
    return { orphans, duplicates, perChallenge };
  }
}

/** Runs fn over items with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    })
  );
}

export { sleep };
