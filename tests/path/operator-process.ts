// The operator of the path test (cluster.ts) as a child process, with the flags the chart gives it (series state in a
// ConfigMap, leader election), one "pod" per start, and what its /metrics exports. The edge plays' replicas
// (edges-replica.ts) are such processes with their own flags.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { STATUS_LABELS, STATUS_METRIC } from '@hexactf/contract';
import { freePort } from '@hexactf/testing/ports';
import { stopChild } from '@hexactf/testing/processes';
import { waitFor } from '@hexactf/testing/wait';
import { type TestEnv } from '../../operator/test/support/test-env.ts';
import { NS, NS2 } from './ctf.ts';
import { expositionSamples } from './exposition.ts';
import { parseLifecycle, type LifecycleExposition } from './lifecycle-exposition.ts';

const OPERATOR_MAIN = resolve(import.meta.dirname, '../../operator/src/main.ts');
/** Short enough to keep the test fast; the operator's minimum is 10 s, which is > 2 x the 1 s scrape interval. */
export const RETENTION = '10s';
/** Long enough for every Prometheus server to scrape a new operator pod before it may take over a killed one's lease. */
const LEASE = '20s';
/** The series-state ConfigMap the chart gives the operator (--series-state-configmap), in its own namespace. */
export const OPERATOR_NS = 'hexactf';
export const SERIES_STATE = 'hexactf-challenge-operator-series-state';

function parseStatusSeries(text: string): Map<string, number> {
  return new Map(
    expositionSamples(text)
      .filter((x) => x.name === STATUS_METRIC)
      .map(({ labels, value }) => [`${labels[STATUS_LABELS.namespace]}/${labels[STATUS_LABELS.challengeName]}`, value])
  );
}

/** The operator as a child process, as the chart runs it (series state in a ConfigMap), one "pod" per start. */
export class Operator {
  log = '';
  private child?: ChildProcess;
  address = '';
  pod = '';
  private starts = 0;
  protected readonly env: TestEnv;

  constructor(env: TestEnv) {
    this.env = env;
  }

  get metricsUrl(): string {
    return `http://${this.address}/metrics`;
  }

  /** Starts a new process on a new port: a new pod, with a new `pod` and `instance` label. */
  async start(): Promise<void> {
    const port = await freePort();
    this.address = `127.0.0.1:${port}`;
    this.pod = `hexactf-challenge-operator-${++this.starts}`;
    await this.spawn([
      '--kubeconfig',
      this.env.kubeconfigPath,
      '--namespace',
      `${NS},${NS2}`,
      `--metrics-bind-address=${this.address}`,
      '--health-probe-bind-address=0',
      '--pending-timeout=10m',
      '--max-per-user=2',
      `--deleted-series-retention=${RETENTION}`,
      '--challenge-ttl=0',
      `--leader-election-namespace=${OPERATOR_NS}`,
      `--series-state-configmap=${SERIES_STATE}`,
      '--log-level=info',
      // As the chart runs more than one replica. A new pod then waits out a SIGKILLed one's lease before it
      // reconciles, and Prometheus scrapes its lifecycle series at 0 meanwhile: over its life they are exact.
      '--leader-elect',
      `--lease-duration=${LEASE}`,
    ]);
  }

  /** Runs the operator's main with these flags as this pod, until it says it started. */
  protected async spawn(flags: string[]): Promise<void> {
    const child = spawn(process.execPath, [OPERATOR_MAIN, ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    const from = this.log.length;
    child.stderr!.on('data', (b) => (this.log += b));
    await waitFor(
      `operator ${this.pod} started`,
      async () =>
        this.log.slice(from).includes('"operator started"') ||
        (child.exitCode !== null && Promise.reject(new Error(`operator exited: ${this.log.slice(from)}`))),
      60_000
    );
  }

  /** SIGKILL: no shutdown, no last write of its state. */
  async kill(): Promise<void> {
    const child = this.child!;
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      await stopChild(this.child);
    }
  }

  async series(): Promise<Map<string, number>> {
    return parseStatusSeries(await (await fetch(this.metricsUrl)).text());
  }

  async lifecycle(): Promise<LifecycleExposition> {
    return parseLifecycle(await (await fetch(this.metricsUrl)).text());
  }
}
