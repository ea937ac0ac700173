// The cluster half of the path test (tests/path/path.jest.ts spawns this file with Node 24, which runs it natively):
// a real etcd + kube-apiserver, the operator as a child process, and for each Prometheus version (builds.ts) real
// Prometheus servers scraping it every second:
// - "default": the chart's scrape settings (honor_labels, the ServiceMonitor's metricRelabelings, which drop the
//   per-pod target labels from the Challenge series) and the chart's rules; the target carries a `pod` label that
//   changes when the operator restarts, as under a ServiceMonitor;
// - "legacy": renames challenge_id to challeng_id (the original operator's typo) and keeps the target labels, so a
//   restart gives every series a new identity (what the queries must survive where the chart's settings are not used);
// - "original": scrapes a stand-in for the ORIGINAL operator's exposition (original-operator.ts), played alongside.
// It plays, on the real operator, the situations in which dashboards used to lie (tests/README.md), recording a
// checkpoint after each step: the cluster's truth (read back from the apiserver), the time to evaluate at, and
// whether the operator was reporting; while it reports, also the operator pod's lifecycle counters and histograms as
// its /metrics shows them, and what the cluster did while that pod ran (PodLifecycle), for the Lifecycle page's exact
// checks. Then it prints
//   PATH-READY {"prometheus":{"<build>":{"default":URL,"legacy":URL,"original":URL}},"checkpoints":[...],...}
// and keeps everything up until its stdin closes (or SIGTERM), then tears it all down. Prometheus keeps the history,
// so path.jest.ts evaluates every checkpoint afterwards at its own time.
import { spawn, type ChildProcess } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LEGACY_CHALLENGE_ID_LABEL, STATE_CODES, STATUS_LABELS, STATUS_METRIC, isStateName } from '@hexactf/contract';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { ChallengeClient } from '@hexactf/testing/challenge-client';
import { freePort } from '@hexactf/testing/ports';
import { removeTempDir, stopChild, tempDir } from '@hexactf/testing/processes';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';
import { waitFor } from '@hexactf/testing/wait';
import { startTestEnv, type TestEnv } from '../../operator/test/support/test-env.ts';
import { findObject, renderChart } from '../../operator/test/chart/helm.ts';
import { FINALIZER, timeMs, type Challenge, type State } from '../../operator/src/api/types.ts';
import { BUILDS } from './builds.ts';
import { expositionSamples } from './exposition.ts';
import { parseLifecycle, type LifecycleExposition } from './lifecycle-exposition.ts';
import { OriginalOperator, type OriginalInstance } from './original-operator.ts';

const OPERATOR_MAIN = resolve(import.meta.dirname, '../../operator/src/main.ts');
const NS = 'ctf';
/** A second namespace with the same challenge id and user as one in NS. */
const NS2 = 'ctf2';
const JOB = 'challenge-operator';
/** Short enough to keep the test fast; the operator's minimum is 10 s, which is > 2 x the 1 s scrape interval. */
const RETENTION = '10s';
/** Long enough for every Prometheus server to scrape a new operator pod before it may take over a killed one's lease. */
const LEASE = '20s';
/** Longer than path.jest.ts' rate interval (4 s) and a scrape. */
const QUIET_MS = 7000;
/** The series-state ConfigMap the chart gives the operator (--series-state-configmap), in its own namespace. */
const OPERATOR_NS = 'hexactf';
const SERIES_STATE = 'hexactf-challenge-operator-series-state';

export interface TruthRow {
  challengeId: string;
  user: string;
  name: string;
  namespace: string;
  definition: string;
  state: string;
  value: number;
}

export interface Checkpoint {
  step: string;
  /** When to evaluate (Unix seconds). */
  at: number;
  /** What the cluster holds (for a checkpoint while the operator is down: what it held when it was last reporting). */
  truth: TruthRow[];
  /** false: the operator was down; the pages must say so and show the last known state. */
  reporting: boolean;
  /** While down: the last known state held from stableFrom until killedAt (Unix seconds). */
  stableFrom?: number;
  killedAt?: number;
  /** While reporting: what the running operator pod counted since it started, and the truth of that time. */
  lifecycle?: PodLifecycle;
}

/**
 * What players and the cluster did while one operator pod ran, as the apiserver showed it: the truth the operator's
 * lifecycle metrics must count.
 */
export interface LifecycleTruth {
  /** Challenges created (each got a first state). */
  opened: number;
  /** Challenges seen entering Error. */
  failed: number;
  /** Per namespace/definition: seconds from Pending to Running of each instance seen Running (its status' times). */
  timeToRunning: Record<string, number[]>;
  /**
   * Per namespace/definition: each instance whose deletion the operator finished (its finalizer, not an organiser),
   * the bounds of its lifetime: [deletion asked, seen gone (+1 s)] minus its creationTimestamp, in seconds.
   */
  lifetimes: Record<string, Array<[number, number]>>;
}

export interface PodLifecycle {
  /** Unix seconds before the pod's first observation and after the previous pod's last sample: a page range from here holds this pod only. */
  since: number;
  truth: LifecycleTruth;
  /** The pod's /metrics at the checkpoint (every Prometheus server scraped these values). */
  exposition: LifecycleExposition;
}

const noLifecycle = (): LifecycleTruth => ({ opened: 0, failed: 0, timeToRunning: {}, lifetimes: {} });

/** What the original operator's stand-in exported, per step, and what its Prometheus must answer. */
export interface OriginalCheckpoint {
  step: string;
  at: number;
  /** Instances the pages must show, with their state. */
  shown: Array<OriginalInstance & { value: number }>;
  /** Instances that still run but that it no longer exports (lost in its restart): on no page. */
  lost: OriginalInstance[];
}

/** Requests of one instance of each definition: CPU cores, memory MiB (one component, one replica). */
const REQUESTS: Record<string, { cpu: number; memoryMi: number }> = {
  'web-login': { cpu: 0.1, memoryMi: 64 },
  'pwn-echo': { cpu: 0.05, memoryMi: 32 },
  'crypto-rsa': { cpu: 0.2, memoryMi: 128 },
  'web-broken': { cpu: 0.05, memoryMi: 32 },
};

function definition(name: string, category: string, image: string) {
  return {
    apiVersion: 'apps.hexactf.io/v1alpha1',
    kind: 'ChallengeDefinition',
    metadata: { name },
    spec: {
      category,
      components: [
        {
          name: 'app',
          deployment: {
            spec: {
              replicas: 1,
              template: {
                spec: {
                  containers: [
                    {
                      name: 'app',
                      image,
                      ports: [{ containerPort: 8080 }],
                      resources: {
                        requests: { cpu: `${REQUESTS[name].cpu * 1000}m`, memory: `${REQUESTS[name].memoryMi}Mi` },
                      },
                    },
                  ],
                },
              },
            },
          },
          service: { spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 8080 }] } },
        },
      ],
    },
  };
}

/** The CTF as players and the missing controllers play it, through the Challenge test client, in two namespaces. */
class Ctf {
  private readonly clients: Record<string, ChallengeClient>;
  /** Deleted Challenges by namespace/name, with their definition (until re-created). */
  readonly deleted = new Map<string, { namespace: string; name: string; definition: string }>();
  /** Deletions asked and not seen finished: namespace/name -> creationTimestamp and when the deletion was asked (ms). */
  private readonly deleting = new Map<string, { definition: string; createdMs: number; askedMs: number }>();
  /** The lifecycle truth since the current operator pod started (reset when a new pod starts). */
  lifecycle = noLifecycle();

  constructor(kc: KubeConfig) {
    this.clients = { [NS]: new ChallengeClient(kc, NS), [NS2]: new ChallengeClient(kc, NS2) };
  }

  client(ns = NS): ChallengeClient {
    return this.clients[ns];
  }

  static nameOf(user: string, challengeId: string): string {
    return `ch-${challengeId}-${user}`;
  }

  async open(user: string, challengeId: string, definition: string, ns = NS): Promise<string> {
    const name = Ctf.nameOf(user, challengeId);
    await this.client(ns).createChallenge(name, { user, challengeId, definition });
    this.deleted.delete(`${ns}/${name}`);
    this.lifecycle.opened++;
    return name;
  }

  async state(name: string, state: State, ns = NS): Promise<Challenge> {
    const ch = await this.client(ns).waitForState(name, state);
    if (state === 'Error') {
      this.lifecycle.failed++;
    }
    return ch;
  }

  /** Plays the Deployment controller (there is none): every replica available, after `pendingMs` (a slow start). */
  async run(name: string, ns = NS, pendingMs = 0): Promise<void> {
    await new Promise((ok) => setTimeout(ok, pendingMs));
    await this.client(ns).markAllAvailable(name, 1);
    const ch = await this.state(name, 'Running', ns);
    // Pending to Running as the status says it (pendingSince, else creation, to startedAt).
    const since = timeMs(ch.status!.pendingSince) ?? timeMs(ch.metadata.creationTimestamp)!;
    const seconds = Math.max(0, timeMs(ch.status!.startedAt)! - since) / 1000;
    (this.lifecycle.timeToRunning[`${ns}/${ch.spec.definition}`] ??= []).push(seconds);
  }

  /** Plays the kubelet failing to pull the image: a pod of the Deployment waiting with reason. */
  async failPull(name: string, reason: 'ErrImagePull' | 'ImagePullBackOff'): Promise<void> {
    const [d] = await this.client().waitForDeployments(name, 1);
    await this.client().createWaitingPod(d, reason, `pulling ${d.spec!.template.spec!.containers[0].image}: not found`);
    await this.state(name, 'Error');
  }

  /** Asks for the deletion; the operator's finalizer finishes it (not awaited: the operator may be down). */
  async requestDelete(name: string, ns = NS): Promise<void> {
    const ch = (await this.client(ns).getChallenge(name))!;
    const def = ch.spec.definition;
    const askedMs = Date.now();
    await this.client(ns).deleteChallenge(name);
    this.deleted.set(`${ns}/${name}`, { namespace: ns, name, definition: def });
    this.deleting.set(`${ns}/${name}`, { definition: def, createdMs: timeMs(ch.metadata.creationTimestamp)!, askedMs });
  }

  /** Waits for a deletion the operator finishes (its finalizer): one lifetime observation between these bounds. */
  async gone(name: string, ns = NS): Promise<void> {
    await this.client(ns).waitForGone(name);
    const { definition, createdMs, askedMs } = this.deleting.get(`${ns}/${name}`)!;
    this.deleting.delete(`${ns}/${name}`);
    // The operator reads its clock once its finalizer write has returned, which this poll may see first: a second's slack.
    (this.lifecycle.lifetimes[`${ns}/${definition}`] ??= []).push([
      (askedMs - createdMs) / 1000,
      (Date.now() + 1000 - createdMs) / 1000,
    ]);
  }

  async close(name: string, ns = NS): Promise<void> {
    await this.requestDelete(name, ns);
    await this.gone(name, ns);
  }

  /** An organizer removing the operator's finalizer by hand: the Challenge is gone at once, whatever the operator does. */
  async removeFinalizer(name: string, ns = NS): Promise<void> {
    const c = this.client(ns);
    const ch = (await c.getChallenge(name))!;
    const finalizers = (ch.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
    await c.custom.patchNamespacedCustomObject({
      group: 'apps.hexactf.io',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'challenges',
      name,
      body: [{ op: 'replace', path: '/metadata/finalizers', value: finalizers }],
    });
    this.deleting.delete(`${ns}/${name}`); // the operator does not finish this one: no lifetime
  }

  /** What the cluster holds: live Challenges by their status (Deleted once deletion is asked), 2 for the ones gone. */
  async truth(): Promise<TruthRow[]> {
    const rows: TruthRow[] = [];
    for (const ns of [NS, NS2]) {
      for (const ch of await this.client(ns).challenges()) {
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
    for (const { namespace, name, definition } of this.deleted.values()) {
      if (rows.some((r) => r.namespace === namespace && r.name === name)) {
        continue; // its deletion has not finished: listed above, as Deleted
      }
      const [, challengeId, user] = /^ch-([^-]+)-(.+)$/.exec(name)!;
      rows.push({ challengeId, user, name, namespace, definition, state: 'Deleted', value: STATE_CODES.Deleted });
    }
    return rows.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  }
}

function parseStatusSeries(text: string): Map<string, number> {
  return new Map(
    expositionSamples(text)
      .filter((x) => x.name === STATUS_METRIC)
      .map(({ labels, value }) => [`${labels[STATUS_LABELS.namespace]}/${labels[STATUS_LABELS.challengeName]}`, value])
  );
}

/** The chart's rules (alerts and recording rules); the default Prometheus loads them like a kube-prometheus-stack would. */
const RULES_FILE = resolve(import.meta.dirname, '../../operator/chart/files/rules.yaml');
const DASHBOARD_GROUP = 'hexactf-challenge-dashboard';

/** The chart's ServiceMonitor's metricRelabelings, in Prometheus' own (snake_case) spelling, as YAML flow maps. */
function chartMetricRelabelings(): string[] {
  const sm = findObject(renderChart({ set: ['serviceMonitor.enabled=true'] }), 'ServiceMonitor');
  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return (sm.spec.endpoints[0].metricRelabelings as Array<Record<string, unknown>>).map((r) =>
    JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [snake(k), v])))
  );
}

function scrapeConfig(
  kind: 'default' | 'legacy' | 'original',
  targetsFile: string,
  chartRelabelings: string[]
): string {
  const relabel = {
    // The ServiceMonitor's own relabelings: pod and instance dropped from the Challenge series.
    default: chartRelabelings.map((r) => `\n      - ${r}`).join(''),
    // The series look like the original operator's: challeng_id instead of challenge_id; target labels kept.
    legacy: `
      - source_labels: [${STATUS_LABELS.challengeId}]
        regex: (.+)
        target_label: ${LEGACY_CHALLENGE_ID_LABEL}
      - regex: ${STATUS_LABELS.challengeId}
        action: labeldrop`,
    original: '',
  }[kind];
  // The chart's recording rules are written for challenge_id: only the default job gets them.
  const rules = kind === 'default' ? `rule_files: ['${RULES_FILE}']\n` : '';
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
${rules}scrape_configs:
  - job_name: ${JOB}
    honor_labels: true
    file_sd_configs:
      - files: ['${targetsFile}']
        refresh_interval: 1s${relabel ? `\n    metric_relabel_configs:${relabel}` : ''}
`;
}

/** Service discovery as a file: the operator's pod, as Prometheus Operator labels it (target `pod` label). */
function writeTargets(file: string, address: string, pod: string): void {
  writeFileSync(`${file}.tmp`, JSON.stringify([{ targets: [address], labels: { pod } }]));
  // Renamed into place so Prometheus never reads half a file.
  renameSync(`${file}.tmp`, file);
}

interface Target {
  lastScrape: string;
  health: string;
  scrapeUrl: string;
}

async function targets(prom: Prometheus): Promise<Target[]> {
  const body = (await (await fetch(`${prom.url}/api/v1/targets?state=active`)).json()) as {
    data: { activeTargets: Target[] };
  };
  return body.data.activeTargets;
}

/** The last successful scrape of address (ms), 0 when it is not an active target or down. */
async function lastScrapeMs(prom: Prometheus, address?: string): Promise<number> {
  const t = (await targets(prom)).find((x) => address === undefined || x.scrapeUrl.includes(`//${address}/`));
  return t && t.health === 'up' ? Date.parse(t.lastScrape) : 0;
}

/** When the dashboard rule group last finished an evaluation (ms), 0 before the first. */
async function lastRuleEvalMs(prom: Prometheus): Promise<number> {
  const body = (await (await fetch(`${prom.url}/api/v1/rules?type=record`)).json()) as {
    data: { groups: Array<{ name: string; lastEvaluation: string }> };
  };
  const group = body.data.groups.find((g) => g.name === DASHBOARD_GROUP);
  if (!group) {
    throw new Error(`rule group ${DASHBOARD_GROUP} not loaded from ${RULES_FILE}`);
  }
  return Date.parse(group.lastEvaluation) || 0;
}

/** The operator as a child process, as the chart runs it (series state in a ConfigMap), one "pod" per start. */
class Operator {
  log = '';
  private child?: ChildProcess;
  address = '';
  pod = '';
  private starts = 0;
  private readonly env: TestEnv;

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
    const child = spawn(
      process.execPath,
      [
        OPERATOR_MAIN,
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
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] }
    );
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

/** The original operator's situations, on its stand-in: Error then its own deletion, and a restart that loses all. */
async function playOriginal(
  original: OriginalOperator,
  proms: Prometheus[],
  checkpoints: OriginalCheckpoint[]
): Promise<void> {
  const inst = (user: string, challengeId: string): OriginalInstance => ({
    namespace: NS,
    challengeId,
    user,
    name: `ch-${challengeId}-${user}`,
  });
  const p1 = inst('p1', '7');
  const p2 = inst('p2', '7');
  const p3 = inst('p3', '8');
  const p4 = inst('p4', '7');
  const scrapedNow = async () => {
    const after = Date.now();
    for (const prom of proms) {
      await waitFor(
        `a scrape of the original's stand-in by ${prom.url}`,
        async () => (await lastScrapeMs(prom)) > after + 10,
        15_000
      );
    }
  };
  const checkpoint = async (step: string, shown: Array<[OriginalInstance, number]>, lost: OriginalInstance[] = []) => {
    await scrapedNow();
    checkpoints.push({ step, at: Date.now() / 1000, shown: shown.map(([i, value]) => ({ ...i, value })), lost });
  };
  original.set(p1, STATE_CODES.Running);
  original.set(p2, STATE_CODES.Running);
  original.set(p3, STATE_CODES.Pending);
  await checkpoint('original: p1, p2 Running, p3 Pending', [
    [p1, 1],
    [p2, 1],
    [p3, 0],
  ]);
  original.set(p2, STATE_CODES.Error);
  await checkpoint('original: p2 in Error', [
    [p1, 1],
    [p2, 3],
    [p3, 0],
  ]);
  original.set(p2, STATE_CODES.Deleted); // it deletes the Errored instance itself
  await checkpoint('original: p2 deleted by the operator itself', [
    [p1, 1],
    [p2, 2],
    [p3, 0],
  ]);
  original.remove(p2);
  await checkpoint('original: p2 gone (Deleted stays for the window)', [
    [p1, 1],
    [p2, 2],
    [p3, 0],
  ]);
  // A restart: down for a few scrapes, back on the same target without any of its instances.
  await original.stop();
  await new Promise((ok) => setTimeout(ok, 3000));
  await original.start();
  original.set(p4, STATE_CODES.Running); // created after the restart: the original exports that one
  await checkpoint(
    'original: restarted, p1 and p3 lost (still running), p4 new',
    [
      [p2, 2],
      [p4, 1],
    ],
    [p1, p3]
  );
}

async function main(): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  const teardown = async () => {
    for (const c of cleanups.reverse()) {
      await c().catch(() => {});
    }
  };
  let done = false;
  const finish = async (code: number) => {
    if (done) {
      return;
    }
    done = true;
    await teardown();
    process.exit(code);
  };
  process.once('SIGTERM', () => void finish(0));
  process.once('SIGINT', () => void finish(0));

  let operator: Operator | undefined;
  try {
    const env: TestEnv = await startTestEnv({ authorizationMode: 'AlwaysAllow' });
    cleanups.push(() => env.stop());
    await env.installCrds();
    const kc = env.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    for (const ns of [NS, NS2, OPERATOR_NS]) {
      await core.createNamespace({ body: { metadata: { name: ns } } });
    }
    const custom = kc.makeApiClient(CustomObjectsApi);
    // New CRDs answer 429 for a moment while their watch cache warms up.
    const defs = [
      definition('web-login', 'web', 'nginx:1.27'),
      definition('pwn-echo', 'pwn', 'busybox:1.36'),
      definition('crypto-rsa', 'crypto', 'python:3.12-slim'),
      definition('web-broken', 'web', 'registry.invalid/hexactf/none:0'),
    ];
    for (const [ns, def] of [...defs.map((d) => [NS, d] as const), [NS2, defs[2]] as const]) {
      await waitFor(`definition ${ns}/${def.metadata.name}`, () =>
        custom
          .createNamespacedCustomObject({
            group: 'apps.hexactf.io',
            version: 'v1alpha1',
            namespace: ns,
            plural: 'challengedefinitions',
            body: def,
          })
          .then(() => true)
      );
    }

    operator = new Operator(env);
    const op = operator;
    cleanups.push(() => op.stop());
    await op.start();

    const sdDir = tempDir('hexactf-path-sd-');
    cleanups.push(async () => removeTempDir(sdDir));
    const operatorTargets = join(sdDir, 'operator.json');
    writeTargets(operatorTargets, op.address, op.pod);
    const original = new OriginalOperator();
    await original.start();
    cleanups.push(() => original.stop());
    const originalTargets = join(sdDir, 'original.json');
    writeTargets(originalTargets, `127.0.0.1:${original.port}`, 'original-operator-0');

    const relabelings = chartMetricRelabelings();
    const servers: Record<string, { default: Prometheus; legacy: Prometheus; original: Prometheus }> = {};
    for (const build of BUILDS) {
      const start = async (kind: 'default' | 'legacy' | 'original') => {
        const prom = await startPrometheus({
          binary: build.binary,
          config: scrapeConfig(kind, kind === 'original' ? originalTargets : operatorTargets, relabelings),
        });
        cleanups.push(() => prom.stop());
        return prom;
      };
      servers[build.name] = {
        default: await start('default'),
        legacy: await start('legacy'),
        original: await start('original'),
      };
    }
    const operatorServers = Object.values(servers).flatMap((s) => [s.default, s.legacy]);

    // The original's stand-in plays on its own Prometheus servers meanwhile.
    const originalCheckpoints: OriginalCheckpoint[] = [];
    const originalPlay = playOriginal(
      original,
      Object.values(servers).map((s) => s.original),
      originalCheckpoints
    );
    originalPlay.catch(() => {});

    /** Resolves once every Prometheus server scraped the running operator after this moment, and the rules ran. */
    const scrapedAfter = async (ms: number) => {
      for (const prom of operatorServers) {
        await waitFor(
          `a scrape of ${op.address} by ${prom.url} after ${new Date(ms).toISOString()}`,
          async () => (await lastScrapeMs(prom, op.address)) > ms + 10,
          15_000
        );
      }
      // ... and the recording rules evaluated after that scrape. One that starts just after it may not see its samples
      // yet, so wait for one a whole evaluation interval (1 s) later; the state is not changed before that.
      for (const { default: prom } of Object.values(servers)) {
        const scrape = await lastScrapeMs(prom, op.address);
        await waitFor(
          `a rule evaluation of ${prom.url} after the scrape`,
          async () => (await lastRuleEvalMs(prom)) > scrape + 1000,
          15_000
        );
      }
    };
    /** Waits for the operator to export namespace/name with value, then for every Prometheus server to scrape that. */
    const scraped = async (name: string, value: number, ns = NS) => {
      await waitFor(
        `${ns}/${name} exported as ${value}`,
        async () => (await op.series()).get(`${ns}/${name}`) === value,
        15_000
      );
      await scrapedAfter(Date.now());
    };
    const seen2 = (name: string, ns = NS) => scraped(name, 2, ns);

    const ctf = new Ctf(kc);
    const checkpoints: Checkpoint[] = [];
    /** The operator exports what the apiserver holds, every server scraped it, and the subqueries' step passed. */
    const checkpoint = async (step: string) => {
      const truth = await ctf.truth();
      await waitFor(
        `operator series equal to the apiserver (${step})`,
        async () => {
          const series = await op.series();
          return truth.every((r) => {
            const v = series.get(`${r.namespace}/${r.name}`);
            return r.state === 'Deleted' ? (v ?? 2) === 2 : v === r.value;
          });
        },
        15_000
      );
      // The lifecycle figures every server scraped: the same before and after the scrapes.
      let exposition: LifecycleExposition;
      for (let before = await op.lifecycle(); ; before = exposition) {
        await scrapedAfter(Date.now());
        exposition = await op.lifecycle();
        if (JSON.stringify(exposition) === JSON.stringify(before)) {
          break;
        }
      }
      // Subqueries ([range:]) evaluate at whole multiples of the 1 s evaluation interval: evaluate after the next
      // whole second following the last scrape, so the state is inside their last step too.
      const last = Math.max(
        ...(await Promise.all([
          ...operatorServers.map((p) => lastScrapeMs(p, op.address)),
          ...Object.values(servers).map((s) => lastRuleEvalMs(s.default)),
        ]))
      );
      await waitFor(
        'the next whole second after the last scrape',
        async () => Date.now() > Math.ceil(last / 1000) * 1000 + 100
      );
      const lifecycle = { since: podSince, truth: structuredClone(ctf.lifecycle), exposition };
      const cp: Checkpoint = { step, at: Date.now() / 1000, truth, reporting: true, lifecycle };
      checkpoints.push(cp);
      return cp;
    };

    /** Where the current operator pod's page range starts (PodLifecycle.since): its first sample there is all 0. */
    let podSince = Date.now() / 1000;
    // Every server has the lifecycle series at 0 before the first instance: the run's first observations count.
    await scrapedAfter(podSince * 1000);
    const startTime = Date.now() / 1000;
    // ---- the CTF
    await ctf.open('alice', '1', 'web-login');
    await ctf.open('alice', '2', 'pwn-echo');
    await ctf.run(Ctf.nameOf('alice', '1'));
    await ctf.run(Ctf.nameOf('alice', '2'));
    await ctf.open('alice', '3', 'crypto-rsa'); // her third live instance: over --max-per-user=2
    await ctf.state(Ctf.nameOf('alice', '3'), 'Error');

    await ctf.open('bob', '1', 'web-login');
    await ctf.open('bob', '4', 'web-broken');
    await ctf.run(Ctf.nameOf('bob', '1'));
    await ctf.failPull(Ctf.nameOf('bob', '4'), 'ErrImagePull');

    await ctf.open('carol', '1', 'web-login'); // stays Pending: nothing reports it available
    await ctf.state(Ctf.nameOf('carol', '1'), 'Pending');
    await ctf.open('carol', '3', 'crypto-rsa');
    await ctf.run(Ctf.nameOf('carol', '3'), NS, 2500); // waits in the second time-to-Running bucket
    await scraped(Ctf.nameOf('carol', '3'), 1); // Running long enough to count in the peak-concurrency history
    await ctf.close(Ctf.nameOf('carol', '3')); // Running, then deleted
    await seen2(Ctf.nameOf('carol', '3'));

    await ctf.open('dave', '2', 'pwn-echo');
    await ctf.state(Ctf.nameOf('dave', '2'), 'Pending');
    await ctf.close(Ctf.nameOf('dave', '2')); // deleted while Pending
    await seen2(Ctf.nameOf('dave', '2'));
    await ctf.open('dave', '4', 'web-broken');
    await ctf.failPull(Ctf.nameOf('dave', '4'), 'ImagePullBackOff');

    await ctf.open('erin', '3', 'crypto-rsa');
    await ctf.run(Ctf.nameOf('erin', '3'));
    const ctfDone = await checkpoint('the CTF played');
    // History the apiserver no longer holds, from the script itself: most instances Running at once per user.
    const peakRunning = { alice: 2, bob: 1, carol: 1, erin: 1 };

    // ---- the operator down for several scrape intervals, deletions meanwhile, then back as a new pod.
    // The pages show the state at the operator's last report to the minute (the status query's resolution), and the
    // last-report query reads the heartbeat at its subquery steps (multiples of 15 s): stay unchanged across a minute
    // boundary at least two scrape intervals after the checkpoint, so a scrape of the state just recorded lands
    // before that boundary and the last report found is not older than the checkpoint.
    await waitFor(
      'a minute boundary with the state unchanged',
      async () => Date.now() > Math.ceil((ctfDone.at + 2) / 60) * 60_000 + 1500,
      65_000,
      200
    );
    const lastOfFirstPod = await op.lifecycle();
    await op.kill();
    const killedAt = Date.now() / 1000;
    await ctf.requestDelete(Ctf.nameOf('alice', '2')); // waits on the operator's finalizer until it is back
    await ctf.requestDelete(Ctf.nameOf('carol', '1'));
    await ctf.removeFinalizer(Ctf.nameOf('carol', '1')); // an organizer does not wait: gone at once
    await ctf.client().waitForGone(Ctf.nameOf('carol', '1'));
    await waitFor('several scrape intervals down', async () => Date.now() > killedAt * 1000 + 5000);
    for (const prom of operatorServers) {
      await waitFor(
        `${prom.url} sees the operator down`,
        async () => (await targets(prom)).every((t) => t.health === 'down'),
        10_000
      );
    }
    checkpoints.push({
      step: 'operator down, two deletions meanwhile',
      at: Date.now() / 1000,
      truth: ctfDone.truth,
      reporting: false,
      stableFrom: ctfDone.at,
      killedAt,
    });

    // Nothing the first pod counted after the CTF's checkpoint (so its figures there are its last ones).
    if (JSON.stringify(lastOfFirstPod) !== JSON.stringify(ctfDone.lifecycle!.exposition)) {
      throw new Error('the first operator pod counted lifecycle events after the CTF checkpoint');
    }
    podSince = Date.now() / 1000;
    ctf.lifecycle = noLifecycle();
    await op.start(); // a new pod: new pod and instance labels
    writeTargets(operatorTargets, op.address, op.pod);
    // Its lifecycle series must reach Prometheus at 0, before it leads (only the leader observes): it waits out the
    // killed pod's lease meanwhile.
    await scrapedAfter(Date.now());
    if ((await op.lifecycle()).leading) {
      throw new Error(
        'the new operator pod led before every Prometheus server scraped it: its first lifecycle samples may not be 0'
      );
    }
    await ctf.gone(Ctf.nameOf('alice', '2'));
    // Her quota is free again: alice's Error instance (QuotaExceeded) recovers, Error -> Pending -> Running.
    await ctf.run(Ctf.nameOf('alice', '3'));
    await checkpoint(
      'operator back as a new pod: deletions while down are Deleted, alice/3 recovered Error -> Running'
    );

    // ---- delete and re-create under the same name, then delete again
    await ctf.close(Ctf.nameOf('bob', '1'));
    await seen2(Ctf.nameOf('bob', '1'));
    await ctf.open('bob', '1', 'web-login');
    await ctf.run(Ctf.nameOf('bob', '1'), NS, 6000); // in the third
    await checkpoint('bob/1 deleted and re-created under the same name');
    await ctf.close(Ctf.nameOf('bob', '1'));
    await seen2(Ctf.nameOf('bob', '1'));
    await checkpoint('bob/1 deleted again');

    // ---- a quiet stretch longer than the panels' rate interval: the per-minute panels fall back to 0
    await new Promise((ok) => setTimeout(ok, QUIET_MS));

    // ---- the same challenge id and user in a second namespace
    await ctf.open('erin', '3', 'crypto-rsa', NS2);
    await ctf.state(Ctf.nameOf('erin', '3'), 'Pending', NS2);
    await checkpoint('erin/3 in two namespaces: Running in ctf, Pending in ctf2');

    await originalPlay;
    const categories = { 'web-login': 'web', 'pwn-echo': 'pwn', 'crypto-rsa': 'crypto', 'web-broken': 'web' };
    const requests = Object.fromEntries(
      Object.entries(REQUESTS).map(([d, r]) => [d, { cpu: r.cpu, memory: r.memoryMi * 1024 * 1024 }])
    );
    process.stdout.write(
      `PATH-READY ${JSON.stringify({
        prometheus: Object.fromEntries(
          Object.entries(servers).map(([name, s]) => [
            name,
            { default: s.default.url, legacy: s.legacy.url, original: s.original.url },
          ])
        ),
        checkpoints,
        originalCheckpoints,
        startTime,
        peakRunning,
        categories,
        requests,
        job: JOB,
        definitionKeys: [...defs.map((d) => `${NS}/${d.metadata.name}`), `${NS2}/${defs[2].metadata.name}`].sort(),
      })}\n`
    );
  } catch (err) {
    process.stderr.write(
      `path cluster failed: ${(err as Error).stack}\n--- operator log (tail):\n${(operator?.log ?? '').split('\n').slice(-30).join('\n')}\n`
    );
    await finish(1);
    return;
  }
  process.stdin.resume();
  process.stdin.once('end', () => void finish(0));
  process.stdin.once('close', () => void finish(0));
}

void main();
