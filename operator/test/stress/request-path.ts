// Helpers for the request-path tests and benchmark (issues "metrics flood" and "client-side limit"): the operator
// installed as the chart installs it (its ServiceAccount, RBAC and, when asked, the flow-control objects) on a
// private control plane, a record of every Lease renewal (a watch: nothing is missed however busy this process
// is), a flood of bogus bearer tokens on 127.0.0.1, and HTTPS scrapes with a token.
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { tempDir } from '@hexactf/testing/processes';
import { renderChart, type K8sObject } from '../chart/helm.ts';
import { create, serviceAccountKubeConfig } from '../chart/kube.ts';
import type { TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';

/** The chart's operator.leaderElectionId: its RBAC allows that one Lease. */
export const LEASE_NAME = 'challenge-operator.hexactf.io';
const IDENTITY_KINDS = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];
const FLOW_KINDS = ['FlowSchema', 'PriorityLevelConfiguration'];

export interface Installed {
  /** Release namespace: the Lease lives here. */
  ns: string;
  challengeNs: string;
  /** The chart's fullname: names the flow-control objects. */
  fullname: string;
  /** A kubeconfig file for the operator's ServiceAccount. */
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  flowObjects: K8sObject[];
}

/** The chart's ServiceAccount and RBAC (and its FlowSchemas/levels with `flowControl`), created for real. */
export async function installOperatorIdentity(
  env: TestEnv,
  flowControl: boolean,
  set: string[] = []
): Promise<Installed> {
  const ns = await createTestNamespace(env.kubeConfig, 'reqpath');
  const challengeNs = await createTestNamespace(env.kubeConfig, 'reqpath-ch');
  const objs = renderChart({
    release: ns,
    namespace: ns,
    set: [
      `challengeNamespaces={${challengeNs}}`,
      `flowControl.enabled=${flowControl}`,
      'operator.leaderElect=true',
      ...set,
    ],
  });
  const kinds = [...IDENTITY_KINDS, ...(flowControl ? FLOW_KINDS : [])];
  const mine = objs.filter((o) => kinds.includes(o.kind));
  for (const obj of mine) {
    await create(env.kubeConfig, obj as never);
  }
  const fullname = `${ns}-challenge-operator`;
  const kubeConfig = await serviceAccountKubeConfig(env.kubeConfig, ns, fullname);
  const kubeconfigPath = join(tempDir('hexactf-reqpath-'), 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeConfig.exportConfig(), { mode: 0o600 });
  return {
    ns,
    challengeNs,
    fullname,
    kubeconfigPath,
    kubeConfig,
    flowObjects: mine.filter((o) => FLOW_KINDS.includes(o.kind)),
  };
}

/** Operator flags for a replica of the installed operator with the chart's leader-election timing. */
export function replicaArgs(
  i: Installed,
  lease = { duration: '15s', renewDeadline: '10s', retryPeriod: '2s' }
): string[] {
  return [
    '--namespace',
    i.challengeNs,
    '--leader-elect',
    `--leader-election-id=${LEASE_NAME}`,
    `--leader-election-namespace=${i.ns}`,
    `--lease-duration=${lease.duration}`,
    `--renew-deadline=${lease.renewDeadline}`,
    `--retry-period=${lease.retryPeriod}`,
  ];
}

export interface Renewal {
  holder: string;
  /** The renewTime the holder wrote (its clock, when it sent the renewal). */
  renewTime: number;
  /** When this process saw it. */
  seenAt: number;
}

/** Every version of one Lease, from a watch. */
export class LeaseRecorder {
  readonly renewals: Renewal[] = [];
  private abort?: AbortController;

  static async start(kc: KubeConfig, ns: string, name: string): Promise<LeaseRecorder> {
    const r = new LeaseRecorder();
    r.abort = await new Watch(kc).watch(
      `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
      { fieldSelector: `metadata.name=${name}` },
      (type, lease) => {
        const spec = lease?.spec;
        if ((type === 'ADDED' || type === 'MODIFIED') && spec?.renewTime && spec.holderIdentity) {
          const renewTime = new Date(spec.renewTime).getTime();
          if (r.renewals.at(-1)?.renewTime !== renewTime) {
            r.renewals.push({ holder: spec.holderIdentity, renewTime, seenAt: Date.now() });
          }
        }
      },
      () => undefined
    );
    return r;
  }

  /** How late each renewal came after the previous one of the same holder, beyond the retry period (ms). */
  lateness(retryPeriodMs: number, from = 0, to = Infinity): number[] {
    const out: number[] = [];
    for (let k = 1; k < this.renewals.length; k++) {
      const [a, b] = [this.renewals[k - 1], this.renewals[k]];
      if (a.holder === b.holder && b.renewTime >= from && a.renewTime <= to) {
        out.push(b.renewTime - a.renewTime - retryPeriodMs);
      }
    }
    return out;
  }

  holders(): string[] {
    return [...new Set(this.renewals.map((r) => r.holder))];
  }

  stop(): void {
    this.abort?.abort();
  }
}

/** GET over HTTPS (self-signed server) with an optional bearer token. */
export function httpsGet(url: string, token?: string, agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { agent, rejectUnauthorized: false, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', () => resolve({ status: 0, body: '' }));
      }
    );
    req.setTimeout(30_000, () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

/**
 * `n` requests, each with a distinct bogus bearer token, sent evenly over `ms` (in batches every 50 ms) to a
 * loopback URL; resolves with the count of each answer's status (0 = no answer) and when the last answer came.
 */
export async function floodBogusTokens(
  url: string,
  n: number,
  ms: number
): Promise<{ statuses: Map<number, number>; sentMs: number; answeredMs: number }> {
  if (!/^https:\/\/127\.0\.0\.1:/.test(url)) {
    throw new Error(`the flood targets loopback only, not ${url}`);
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 128, rejectUnauthorized: false });
  const statuses = new Map<number, number>();
  const t0 = performance.now();
  const answers: Array<Promise<void>> = [];
  const batches = Math.max(1, Math.round(ms / 50));
  for (let b = 0; b < batches; b++) {
    const size = Math.floor(((b + 1) * n) / batches) - Math.floor((b * n) / batches);
    for (let k = 0; k < size; k++) {
      const token = `bogus-${b}-${k}-${Math.random().toString(36).slice(2)}`;
      answers.push(
        httpsGet(url, token, agent).then((r) => void statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1))
      );
    }
    await sleep(Math.max(0, t0 + ((b + 1) * ms) / batches - performance.now()));
  }
  const sentMs = performance.now() - t0;
  await Promise.all(answers);
  agent.destroy();
  return { statuses, sentMs, answeredMs: performance.now() - t0 };
}

/** One series line's value in Prometheus text, or undefined. */
export function sample(text: string, prefix: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export { sleep };

export interface ApfSnapshot {
  limitSeats: Record<string, number>;
  executingSeats: Record<string, number>;
  inQueue: Record<string, number>;
  dispatched: Record<string, number>;
  /** Observations of the level's seat utilization (a fraction of its limit) above 1, from the apiserver's histogram. */
  utilizationAboveOne: Record<string, number>;
  /** All observations of that histogram (it samples continually). */
  utilizationSamples: Record<string, number>;
}

/** The apiserver's API Priority and Fairness figures for some priority levels, from its /metrics. */
export async function apfSnapshot(env: TestEnv, levels: string[]): Promise<ApfSnapshot> {
  const { status, body: text } = await httpsGet(`${env.apiserverUrl}/metrics`, env.adminToken);
  if (status !== 200) {
    throw new Error(`apiserver /metrics: ${status}`);
  }
  const snap: ApfSnapshot = {
    limitSeats: {},
    executingSeats: {},
    inQueue: {},
    dispatched: {},
    utilizationAboveOne: {},
    utilizationSamples: {},
  };
  const add = (rec: Record<string, number>, level: string, v: number) => (rec[level] = (rec[level] ?? 0) + v);
  for (const line of text.split('\n')) {
    const m = /^(apiserver_flowcontrol_[a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    const level = m && /priority_level="([^"]+)"/.exec(m[2])?.[1];
    if (!m || !level || !levels.includes(level)) {
      continue;
    }
    const v = Number(m[3]);
    switch (m[1]) {
      case 'apiserver_flowcontrol_nominal_limit_seats':
        add(snap.limitSeats, level, v);
        break;
      case 'apiserver_flowcontrol_current_executing_seats':
        add(snap.executingSeats, level, v);
        break;
      case 'apiserver_flowcontrol_current_inqueue_requests':
        add(snap.inQueue, level, v);
        break;
      case 'apiserver_flowcontrol_dispatched_requests_total':
        add(snap.dispatched, level, v);
        break;
      case 'apiserver_flowcontrol_priority_level_seat_utilization_count':
        add(snap.utilizationAboveOne, level, v);
        add(snap.utilizationSamples, level, v);
        break;
      case 'apiserver_flowcontrol_priority_level_seat_utilization_bucket':
        if (/le="1"/.test(m[2])) {
          add(snap.utilizationAboveOne, level, -v);
        }
        break;
    }
  }
  return snap;
}
