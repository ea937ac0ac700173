// The cluster half of the edge plays (tests/path/edges.jest.ts spawns this file with Node 24, as path.jest.ts spawns
// cluster.ts): a real etcd + kube-apiserver, operator replicas under leader election (child processes, each a "pod"
// with its own target `pod` label), and per Prometheus version (builds.ts) one Prometheus with the chart's scrape
// settings (the ServiceMonitor's relabelings) and rules, scraping every replica every second. It plays, in sequence:
// - a two-replica handover: the leader SIGKILLed while the standby waits out its Lease (nobody reports meanwhile),
//   the standby takes over; then a graceful handover to a third pod (the stopped leader releases the Lease at once);
// - a torn-down namespace: its instances deleted, then the operator stopped, the range viewed later;
// - a job rename: the operator back as a new pod, the scrape job renamed by a config reload of every Prometheus (as
//   Prometheus Operator applies a ServiceMonitor replacing a static config), so the operator's series get a new
//   identity; then an Error instance deleted.
// After each step it records a checkpoint (the apiserver's truth, the time, whether the operator was reporting) and,
// around each handover, a span in which the cluster did not change (the over-time panel must show nothing else).
// Then it prints `EDGES-READY {...}` and keeps everything up until its stdin closes (or SIGTERM).
import { spawn, type ChildProcess } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONTROLLER_METRICS, STATE_CODES, STATUS_LABELS, STATUS_METRIC, isStateName } from '@hexactf/contract';
import { CoreV1Api } from '@kubernetes/client-node';
import { ChallengeClient } from '@hexactf/testing/challenge-client';
import { freePort } from '@hexactf/testing/ports';
import { removeTempDir, stopChild, tempDir } from '@hexactf/testing/processes';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';
import { waitFor } from '@hexactf/testing/wait';
import { startTestEnv, type TestEnv } from '../../operator/test/support/test-env.ts';
import { findObject, renderChart } from '../../operator/test/chart/helm.ts';
import { BUILDS } from './builds.ts';
import type { Checkpoint, TruthRow } from './cluster.ts';
import { expositionSamples } from './exposition.ts';

const OPERATOR_MAIN = resolve(import.meta.dirname, '../../operator/src/main.ts');
const RULES_FILE = resolve(import.meta.dirname, '../../operator/chart/files/rules.yaml');
const DASHBOARD_GROUP = 'hexactf-challenge-dashboard';
/** Where the CTF goes on. */
const EDGE = 'edge';
/** The namespace torn down at the end. */
const GONE = 'gone';
const NAMESPACES = [EDGE, GONE];
const OPERATOR_NS = 'hexactf';
/**
 * The scrape job's names before and after the rename: a static config replaced by the chart's ServiceMonitor, whose
 * job Prometheus Operator names so and applies by a config reload.
 */
export const EDGE_JOBS = ['challenge-operator', `serviceMonitor/${OPERATOR_NS}/challenge-operator/0`] as const;
const RETENTION = '10s';
/** Long enough to record a checkpoint while the standby waits out a killed leader's Lease. */
const LEASE = '12s';

export type Play = 'handover' | 'teardown' | 'rename';

/** A span in which the cluster did not change: every step of the over-time panel holds these counts, or nothing. */
export interface QuietSpan {
  what: string;
  from: number;
  to: number;
  truth: TruthRow[];
}

export interface EdgesCluster {
  prometheus: Record<string, string>;
  checkpoints: Array<Checkpoint & { play: Play }>;
  spans: QuietSpan[];
  startTime: number;
  jobs: readonly string[];
}

function definitionSpec(image: string) {
  return {
    category: 'web',
    components: [
      {
        name: 'app',
        deployment: {
          spec: {
            replicas: 1,
            template: { spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] } },
          },
        },
        service: { spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 8080 }] } },
      },
    ],
  };
}

/** One operator replica: a child process with its own port, as one pod of the chart's Deployment. */
class Replica {
  log = '';
  readonly address: string;
  readonly pod: string;
  private child?: ChildProcess;
  private readonly env: TestEnv;

  constructor(env: TestEnv, pod: string, port: number) {
    this.env = env;
    this.pod = pod;
    this.address = `127.0.0.1:${port}`;
  }

  static async create(env: TestEnv, pod: string): Promise<Replica> {
    return new Replica(env, pod, await freePort());
  }

  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        OPERATOR_MAIN,
        '--kubeconfig',
        this.env.kubeconfigPath,
        '--namespace',
        NAMESPACES.join(','),
        `--metrics-bind-address=${this.address}`,
        '--health-probe-bind-address=0',
        '--pending-timeout=10m',
        `--deleted-series-retention=${RETENTION}`,
        '--challenge-ttl=0',
        '--leader-elect',
        `--leader-election-namespace=${OPERATOR_NS}`,
        `--lease-duration=${LEASE}`,
        '--series-state-configmap=hexactf-challenge-operator-series-state',
        '--log-level=info',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] }
    );
    this.child = child;
    child.stderr!.on('data', (b) => (this.log += b));
    await waitFor(
      `operator ${this.pod} started`,
      async () =>
        this.log.includes('"operator started"') ||
        (child.exitCode !== null && Promise.reject(new Error(`operator exited: ${this.log}`))),
      60_000
    );
  }

  /** SIGKILL: no shutdown, the Lease is held until it runs out. */
  async kill(): Promise<void> {
    const child = this.child!;
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM: a graceful shutdown, which releases the Lease. */
  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      await stopChild(this.child);
    }
  }

  private async samples() {
    return expositionSamples(await (await fetch(`http://${this.address}/metrics`)).text());
  }

  async leading(): Promise<boolean> {
    return (await this.samples()).some((s) => s.name === CONTROLLER_METRICS.leaderStatus && s.value === 1);
  }

  /** namespace/name -> exported state value. */
  async series(): Promise<Map<string, number>> {
    return new Map(
      (await this.samples())
        .filter((s) => s.name === STATUS_METRIC)
        .map((s) => [`${s.labels[STATUS_LABELS.namespace]}/${s.labels[STATUS_LABELS.challengeName]}`, s.value])
    );
  }
}

/** The ServiceMonitor's metricRelabelings, in Prometheus' own (snake_case) spelling, as YAML flow maps. */
function chartMetricRelabelings(): string[] {
  const sm = findObject(renderChart({ set: ['serviceMonitor.enabled=true'] }), 'ServiceMonitor');
  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return (sm.spec.endpoints[0].metricRelabelings as Array<Record<string, unknown>>).map((r) =>
    JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [snake(k), v])))
  );
}

function scrapeConfig(job: string, targetsFile: string, relabelings: string[]): string {
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: ['${RULES_FILE}']
scrape_configs:
  - job_name: ${JSON.stringify(job)}
    honor_labels: true
    file_sd_configs:
      - files: ['${targetsFile}']
        refresh_interval: 1s
    metric_relabel_configs:${relabelings.map((r) => `\n      - ${r}`).join('')}
`;
}

/** Service discovery as a file: the replicas' pods, each with its `pod` target label. */
function writeTargets(file: string, replicas: Replica[]): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(replicas.map((r) => ({ targets: [r.address], labels: { pod: r.pod } }))));
  renameSync(`${file}.tmp`, file);
}

interface Target {
  lastScrape: string;
  health: string;
  scrapeUrl: string;
}

async function targetOf(prom: Prometheus, address: string): Promise<Target | undefined> {
  const body = (await (await fetch(`${prom.url}/api/v1/targets?state=active`)).json()) as {
    data: { activeTargets: Target[] };
  };
  return body.data.activeTargets.find((t) => t.scrapeUrl.includes(`//${address}/`));
}

async function lastScrapeMs(prom: Prometheus, address: string): Promise<number> {
  const t = await targetOf(prom, address);
  return t && t.health === 'up' ? Date.parse(t.lastScrape) : 0;
}

async function lastRuleEvalMs(prom: Prometheus): Promise<number> {
  const body = (await (await fetch(`${prom.url}/api/v1/rules?type=record`)).json()) as {
    data: { groups: Array<{ name: string; lastEvaluation: string }> };
  };
  return Date.parse(body.data.groups.find((g) => g.name === DASHBOARD_GROUP)?.lastEvaluation ?? '') || 0;
}

async function main(): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  let done = false;
  const finish = async (code: number) => {
    if (done) {
      return;
    }
    done = true;
    for (const c of cleanups.reverse()) {
      await c().catch(() => {});
    }
    process.exit(code);
  };
  process.once('SIGTERM', () => void finish(0));
  process.once('SIGINT', () => void finish(0));

  const replicas: Replica[] = [];
  try {
    const env = await startTestEnv({ authorizationMode: 'AlwaysAllow' });
    cleanups.push(() => env.stop());
    await env.installCrds();
    const core = env.kubeConfig.makeApiClient(CoreV1Api);
    for (const ns of [...NAMESPACES, OPERATOR_NS]) {
      await core.createNamespace({ body: { metadata: { name: ns } } });
    }
    const clients = Object.fromEntries(NAMESPACES.map((ns) => [ns, new ChallengeClient(env.kubeConfig, ns)]));
    for (const ns of NAMESPACES) {
      // New CRDs answer 429 for a moment while their watch cache warms up.
      await waitFor(`definitions in ${ns}`, () =>
        clients[ns].createDefinition('web-login', definitionSpec('nginx:1.27')).then(() => true)
      );
      await clients[ns].createDefinition('web-broken', definitionSpec('registry.invalid/hexactf/none:0'));
    }

    const newReplica = async (pod: string) => {
      const r = await Replica.create(env, pod);
      replicas.push(r);
      cleanups.push(() => r.stop());
      await r.start();
      return r;
    };
    const a = await newReplica('hexactf-challenge-operator-a');
    await waitFor('replica a leads', () => a.leading(), 30_000);
    const b = await newReplica('hexactf-challenge-operator-b');

    const sdDir = tempDir('hexactf-edges-sd-');
    cleanups.push(async () => removeTempDir(sdDir));
    const targetsFile = join(sdDir, 'operator.json');
    writeTargets(targetsFile, [a, b]);
    const relabelings = chartMetricRelabelings();
    const servers: Array<{ name: string; binary: string; dataDir: string; prom: Prometheus }> = [];
    const startServer = (binary: string, dataDir: string, job: string) =>
      startPrometheus({
        binary,
        dataDir,
        config: scrapeConfig(job, targetsFile, relabelings),
        extraArgs: ['--web.enable-lifecycle'],
      });
    for (const build of BUILDS) {
      const dataDir = tempDir('hexactf-edges-tsdb-');
      cleanups.push(async () => removeTempDir(dataDir));
      const server = {
        name: build.name,
        binary: build.binary,
        dataDir,
        prom: await startServer(build.binary, dataDir, EDGE_JOBS[0]),
      };
      servers.push(server);
      cleanups.push(() => server.prom.stop());
    }

    let leader = a;
    /** Every server scraped the leader after `ms`, and its dashboard rules ran a whole interval after that scrape. */
    const scrapedAfter = async (ms: number, replica = leader) => {
      for (const { prom } of servers) {
        await waitFor(
          `a scrape of ${replica.pod} by ${prom.url} after ${new Date(ms).toISOString()}`,
          async () => (await lastScrapeMs(prom, replica.address)) > ms + 10,
          20_000
        );
        const scrape = await lastScrapeMs(prom, replica.address);
        await waitFor(
          `a rule evaluation of ${prom.url} after the scrape`,
          async () => (await lastRuleEvalMs(prom)) > scrape + 1000,
          20_000
        );
      }
    };

    const deleted = new Map<string, TruthRow>();
    const truth = async (): Promise<TruthRow[]> => {
      const rows: TruthRow[] = [];
      for (const ns of NAMESPACES) {
        for (const ch of await clients[ns].challenges()) {
          const written = ch.status?.currentStatus?.state;
          const state = ch.metadata.deletionTimestamp ? 'Deleted' : isStateName(written) ? written : 'Pending';
          rows.push({
            challengeId: ch.metadata.labels!['apps.hexactf.io/challengeId'],
            user: ch.metadata.labels!['apps.hexactf.io/user'],
            name: ch.metadata.name,
            namespace: ns,
            definition: ch.spec.definition,
            state,
            value: STATE_CODES[state],
          });
        }
      }
      for (const row of deleted.values()) {
        if (!rows.some((r) => r.namespace === row.namespace && r.name === row.name)) {
          rows.push(row);
        }
      }
      return rows.sort((x, y) => `${x.namespace}/${x.name}`.localeCompare(`${y.namespace}/${y.name}`));
    };

    const checkpoints: EdgesCluster['checkpoints'] = [];
    const spans: QuietSpan[] = [];
    /** The leader exports what the apiserver holds, every server scraped it, and the next whole second passed. */
    const checkpoint = async (play: Play, step: string) => {
      const rows = await truth();
      await waitFor(
        `the leader's series equal to the apiserver (${step})`,
        async () => {
          const series = await leader.series();
          return rows.every((r) => {
            const v = series.get(`${r.namespace}/${r.name}`);
            return r.state === 'Deleted' ? (v ?? 2) === 2 : v === r.value;
          });
        },
        20_000
      );
      await scrapedAfter(Date.now());
      const last = Math.max(...(await Promise.all(servers.map(({ prom }) => lastScrapeMs(prom, leader.address)))));
      await waitFor(
        'the next whole second after the last scrape',
        async () => Date.now() > Math.ceil(last / 1000) * 1000 + 100
      );
      const cp = { play, step, at: Date.now() / 1000, truth: rows, reporting: true };
      checkpoints.push(cp);
      return cp;
    };

    const name = (user: string, id: string) => `ch-${id}-${user}`;
    const open = async (ns: string, user: string, id: string, definition: string) => {
      await clients[ns].createChallenge(name(user, id), { user, challengeId: id, definition });
      deleted.delete(`${ns}/${name(user, id)}`);
      return name(user, id);
    };
    const run = async (ns: string, ch: string) => {
      await clients[ns].markAllAvailable(ch, 1);
      await clients[ns].waitForState(ch, 'Running');
    };
    const failPull = async (ns: string, ch: string) => {
      const [d] = await clients[ns].waitForDeployments(ch, 1);
      await clients[ns].createWaitingPod(d, 'ErrImagePull', 'pulling registry.invalid/hexactf/none:0: not found');
      await clients[ns].waitForState(ch, 'Error');
    };
    const remove = async (ns: string, ch: string) => {
      const c = (await clients[ns].getChallenge(ch))!;
      await clients[ns].deleteChallenge(ch);
      deleted.set(`${ns}/${ch}`, {
        challengeId: c.metadata.labels!['apps.hexactf.io/challengeId'],
        user: c.metadata.labels!['apps.hexactf.io/user'],
        name: ch,
        namespace: ns,
        definition: c.spec.definition,
        state: 'Deleted',
        value: STATE_CODES.Deleted,
      });
    };
    /** Waits until the leader no longer exports namespace/name (its Deleted tombstone retained, then removed). */
    const seriesGone = async (ns: string, ch: string) =>
      waitFor(`${ns}/${ch} no longer exported`, async () => !(await leader.series()).has(`${ns}/${ch}`), 30_000);
    const allDown = async (replica: Replica) => {
      for (const { prom } of servers) {
        await waitFor(
          `${prom.url} sees ${replica.pod} down`,
          async () => (await targetOf(prom, replica.address))?.health === 'down',
          15_000
        );
      }
    };

    /**
     * The page's last-report query reads the heartbeat at 15 s subquery steps: before the operator stops reporting,
     * wait for a step two scrapes after the checkpoint, so the last report found is not older than it.
     */
    const stepAfter = (cp: { at: number }) =>
      waitFor(
        'a 15 s step after the checkpoint',
        async () => Date.now() > Math.ceil((cp.at + 2) / 15) * 15_000 + 1500,
        20_000,
        200
      );

    await scrapedAfter(Date.now());
    const startTime = Date.now() / 1000;

    // ---- the CTF, on the leader a with b standing by
    await run(EDGE, await open(EDGE, 'ann', '1', 'web-login'));
    await failPull(EDGE, await open(EDGE, 'ben', '2', 'web-broken'));
    await clients[EDGE].waitForState(await open(EDGE, 'cat', '1', 'web-login'), 'Pending');
    await failPull(EDGE, await open(EDGE, 'fay', '2', 'web-broken'));
    await run(GONE, await open(GONE, 'dan', '1', 'web-login'));
    await run(GONE, await open(GONE, 'eve', '1', 'web-login'));
    if (await b.leading()) {
      throw new Error('the standby leads');
    }
    const before = await checkpoint('handover', 'two replicas: a leads, b stands by');

    // ---- the leader SIGKILLed: b waits out its Lease; nobody reports meanwhile
    await stepAfter(before);
    await a.kill();
    const killedAt = Date.now() / 1000;
    await allDown(a);
    if (await b.leading()) {
      throw new Error(`b took over before every server saw a down: raise LEASE (${LEASE})`);
    }
    checkpoints.push({
      play: 'handover',
      step: 'leader a killed, b waits out its Lease',
      at: Date.now() / 1000,
      truth: before.truth,
      reporting: false,
      stableFrom: before.at,
      killedAt,
    });
    if (await b.leading()) {
      throw new Error(`b took over while the not-reporting checkpoint was recorded: raise LEASE (${LEASE})`);
    }
    await waitFor('b leads', () => b.leading(), 30_000);
    leader = b;
    const tookOver = await checkpoint('handover', 'b took over from the killed a');
    spans.push({ what: 'a killed, b took over', from: before.at, to: tookOver.at, truth: before.truth });

    // ---- b reconciles: cat runs, ben's Error deleted
    await run(EDGE, name('cat', '1'));
    await remove(EDGE, name('ben', '2'));
    await clients[EDGE].waitForGone(name('ben', '2'));
    const reconciled = await checkpoint('handover', 'b reconciles: cat Running, ben (Error) deleted');

    // ---- a graceful handover: c stands by, b stops and releases the Lease, c takes over at once
    const c = await newReplica('hexactf-challenge-operator-c');
    writeTargets(targetsFile, [b, c]);
    await scrapedAfter(Date.now(), c);
    const beforeGraceful = await checkpoint('handover', 'c stands by');
    await b.stop();
    await waitFor('c leads', () => c.leading(), 30_000);
    leader = c;
    const graceful = await checkpoint('handover', 'b stopped, c took over');
    spans.push({ what: 'b stopped, c took over', from: beforeGraceful.at, to: graceful.at, truth: reconciled.truth });

    // ---- the namespace torn down: its instances deleted, then the operator stopped, viewed later
    await remove(GONE, name('dan', '1'));
    await remove(GONE, name('eve', '1'));
    await clients[GONE].waitForGone(name('dan', '1'));
    await clients[GONE].waitForGone(name('eve', '1'));
    await seriesGone(GONE, name('dan', '1'));
    await seriesGone(GONE, name('eve', '1'));
    const tornDown = await checkpoint('teardown', `namespace ${GONE} torn down`);
    await stepAfter(tornDown);
    await c.stop();
    const stoppedAt = Date.now() / 1000;
    await allDown(c);
    // Viewed later: a range ending well after the operator stopped.
    await waitFor('a while later', async () => Date.now() > stoppedAt * 1000 + 15_000, 20_000, 200);
    checkpoints.push({
      play: 'teardown',
      step: 'the operator stopped, viewed later',
      at: Date.now() / 1000,
      truth: tornDown.truth,
      reporting: false,
      stableFrom: tornDown.at,
      killedAt: stoppedAt,
    });

    // ---- the operator back as pod d; the scrape job renamed by a config reload, then an Error instance deleted. A
    // reload that removes a scrape job (as a restart) writes no staleness markers for its series: they stay within
    // Prometheus' 5 m lookback beside the new job's.
    const d = await newReplica('hexactf-challenge-operator-d');
    writeTargets(targetsFile, [d]);
    await waitFor('d leads', () => d.leading(), 30_000);
    leader = d;
    await failPull(EDGE, await open(EDGE, 'gil', '2', 'web-broken'));
    await checkpoint('rename', 'operator back as pod d, gil in Error');
    for (const { prom } of servers) {
      writeFileSync(
        join(dirname(prom.logFile), 'prometheus.yml'),
        scrapeConfig(EDGE_JOBS[1], targetsFile, relabelings)
      );
      const r = await fetch(`${prom.url}/-/reload`, { method: 'POST' });
      if (!r.ok) {
        throw new Error(`reload of ${prom.url}: ${r.status} ${await r.text()}`);
      }
    }
    await checkpoint('rename', 'the scrape job renamed by a config reload');
    await remove(EDGE, name('fay', '2'));
    await clients[EDGE].waitForGone(name('fay', '2'));
    await seriesGone(EDGE, name('fay', '2'));
    await checkpoint('rename', 'after the reload: fay (Error) deleted, its series gone');

    const ready: EdgesCluster = {
      prometheus: Object.fromEntries(servers.map((s) => [s.name, s.prom.url])),
      checkpoints,
      spans,
      startTime,
      jobs: EDGE_JOBS,
    };
    process.stdout.write(`EDGES-READY ${JSON.stringify(ready)}\n`);
  } catch (err) {
    process.stderr.write(
      `edges cluster failed: ${(err as Error).stack}\n` +
        replicas.map((r) => `--- ${r.pod} log (tail):\n${r.log.split('\n').slice(-20).join('\n')}`).join('\n') +
        '\n'
    );
    await finish(1);
    return;
  }
  process.stdin.resume();
  process.stdin.once('end', () => void finish(0));
  process.stdin.once('close', () => void finish(0));
}

void main();
