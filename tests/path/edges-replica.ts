// One operator replica of the edge plays (edges-cluster.ts): a child process with its own port and a fixed pod name,
// as one pod of the chart's Deployment, under leader election with a Lease short enough for the plays, and whether
// its /metrics says it leads.
import { CONTROLLER_METRICS } from '@hexactf/contract';
import { freePort } from '@hexactf/testing/ports';
import { type TestEnv } from '../../operator/test/support/test-env.ts';
import { expositionSamples } from './exposition.ts';
import { OPERATOR_NS, Operator, RETENTION, SERIES_STATE } from './operator-process.ts';

/** Long enough to record a checkpoint while the standby waits out a killed leader's Lease. */
export const LEASE = '12s';

/** kill() is a SIGKILL (the Lease is held until it runs out), stop() a graceful shutdown (which releases it). */
export class Replica extends Operator {
  private readonly namespaces: string[];

  constructor(env: TestEnv, pod: string, port: number, namespaces: string[]) {
    super(env);
    this.pod = pod;
    this.address = `127.0.0.1:${port}`;
    this.namespaces = namespaces;
  }

  static async create(env: TestEnv, pod: string, namespaces: string[]): Promise<Replica> {
    return new Replica(env, pod, await freePort(), namespaces);
  }

  /** Starts this pod (once: it keeps its name and port). */
  async start(): Promise<void> {
    await this.spawn([
      '--kubeconfig',
      this.env.kubeconfigPath,
      '--namespace',
      this.namespaces.join(','),
      `--metrics-bind-address=${this.address}`,
      '--health-probe-bind-address=0',
      '--pending-timeout=10m',
      `--deleted-series-retention=${RETENTION}`,
      '--challenge-ttl=0',
      '--leader-elect',
      `--leader-election-namespace=${OPERATOR_NS}`,
      `--lease-duration=${LEASE}`,
      `--series-state-configmap=${SERIES_STATE}`,
      '--log-level=info',
    ]);
  }

  async leading(): Promise<boolean> {
    const samples = expositionSamples(await (await fetch(this.metricsUrl)).text());
    return samples.some((s) => s.name === CONTROLLER_METRICS.leaderStatus && s.value === 1);
  }
}
