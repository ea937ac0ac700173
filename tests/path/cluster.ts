// The cluster half of the path test (tests/path/path.jest.ts spawns this file with Node 24, which runs it natively):
// a real etcd + kube-apiserver, the operator as a child process, and for each Prometheus version (Debian's 2.x and
// 3.x, @hexactf/testing/prometheus-builds) two real Prometheus servers scraping it every second, one as is and one
// renaming challenge_id to challeng_id (the original operator's typo). It plays a small CTF, waits until every
// Prometheus server has scraped the final state, prints one line
//   PATH-READY {"prometheus":{"<version>":{"default":URL,"legacy":URL},...},"truth":[...],"evalTime":SECONDS}
// and keeps everything up until its stdin closes (or SIGTERM), then tears it all down.
//
// The truth is read back from the apiserver: each live Challenge's status.currentStatus.state, and 2 (Deleted) for
// each Challenge this script deleted once the apiserver no longer has it.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { LEGACY_CHALLENGE_ID_LABEL, STATE_CODES, STATUS_LABELS, STATUS_METRIC, isStateName } from '@hexactf/contract';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { ChallengeClient } from '@hexactf/testing/challenge-client';
import { freePort } from '@hexactf/testing/ports';
import { stopChild } from '@hexactf/testing/processes';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';
import { waitFor } from '@hexactf/testing/wait';
import { startTestEnv, type TestEnv } from '../../operator/test/support/test-env.ts';
import type { State } from '../../operator/src/api/types.ts';

const OPERATOR_MAIN = resolve(import.meta.dirname, '../../operator/src/main.ts');
const NS = 'ctf';
const G = { group: 'apps.hexactf.io', version: 'v1alpha1', namespace: NS };
/** Short enough to keep the test fast; the operator's minimum is 10 s, which is > 2 x the 1 s scrape interval. */
const RETENTION = '10s';

export interface TruthRow {
  challengeId: string;
  user: string;
  name: string;
  namespace: string;
  definition: string;
  state: string;
  value: number;
}

/** Requests of one instance of each definition: CPU cores, memory MiB (one component, one replica). */
const REQUESTS: Record<string, { cpu: number; memoryMi: number }> = {
  'web-login': { cpu: 0.1, memoryMi: 64 }, 'pwn-echo': { cpu: 0.05, memoryMi: 32 },
  'crypto-rsa': { cpu: 0.2, memoryMi: 128 }, 'web-broken': { cpu: 0.05, memoryMi: 32 },
};

function definition(name: string, category: string, image: string) {
  return {
    apiVersion: 'apps.hexactf.io/v1alpha1', kind: 'ChallengeDefinition', metadata: { name },
    spec: {
      category,
      components: [{
        name: 'app',
        deployment: { spec: { replicas: 1, template: { spec: { containers: [{
          name: 'app', image, ports: [{ containerPort: 8080 }], resources: { requests: { cpu: `${REQUESTS[name].cpu * 1000}m`, memory: `${REQUESTS[name].memoryMi}Mi` } },
        }] } } } },
        service: { spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 8080 }] } },
      }],
    },
  };
}

/** The CTF as players and the missing controllers play it, through the Challenge test client. */
class Ctf {
  readonly client: ChallengeClient;
  /** Deleted Challenges by name, with their definition. */
  readonly deleted = new Map<string, string>();

  constructor(kc: KubeConfig) {
    this.client = new ChallengeClient(kc, NS);
  }

  static nameOf(user: string, challengeId: string): string {
    return `ch-${challengeId}-${user}`;
  }

  async open(user: string, challengeId: string, definition: string): Promise<string> {
    const name = Ctf.nameOf(user, challengeId);
    await this.client.createChallenge(name, { user, challengeId, definition });
    return name;
  }

  async state(name: string, state: State): Promise<void> {
    await this.client.waitForState(name, state);
  }

  /** Plays the Deployment controller (there is none): every replica available. */
  async run(name: string): Promise<void> {
    await this.client.markAllAvailable(name, 1);
    await this.state(name, 'Running');
  }

  /** Plays the kubelet failing to pull the image: a pod of the Deployment waiting with reason. */
  async failPull(name: string, reason: 'ErrImagePull' | 'ImagePullBackOff'): Promise<void> {
    const [d] = await this.client.waitForDeployments(name, 1);
    await this.client.createWaitingPod(d, reason, `pulling ${d.spec!.template.spec!.containers[0].image}: not found`);
    await this.state(name, 'Error');
  }

  async close(name: string): Promise<void> {
    const def = (await this.client.getChallenge(name))!.spec.definition;
    await this.client.deleteChallenge(name);
    this.deleted.set(name, def);
    await this.client.waitForGone(name);
  }

  /** What the cluster holds: live Challenges by their status, and 2 for the ones deleted here and now gone. */
  async truth(): Promise<TruthRow[]> {
    const rows: TruthRow[] = (await this.client.challenges()).map((ch) => {
      const written = ch.status?.currentStatus?.state;
      const state = ch.metadata.deletionTimestamp ? 'Deleted' : isStateName(written) ? written : 'Pending';
      return {
        challengeId: ch.metadata.labels!['apps.hexactf.io/challengeId'], user: ch.metadata.labels!['apps.hexactf.io/user'],
        name: ch.metadata.name, namespace: NS, definition: ch.spec.definition, state, value: STATE_CODES[state],
      };
    });
    for (const [name, definition] of this.deleted) {
      if ((await this.client.getChallenge(name)) !== undefined) {
        throw new Error(`${name} was deleted but the apiserver still has it`);
      }
      const [, challengeId, user] = /^ch-([^-]+)-(.+)$/.exec(name)!;
      rows.push({ challengeId, user, name, namespace: NS, definition, state: 'Deleted', value: STATE_CODES.Deleted });
    }
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  }
}

function parseStatusSeries(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const series = new RegExp(`^${STATUS_METRIC}\\{.*${STATUS_LABELS.challengeName}="([^"]+)".*\\} (\\S+)$`);
  for (const line of text.split('\n')) {
    const m = series.exec(line);
    if (m) {
      out.set(m[1], Number(m[2]));
    }
  }
  return out;
}

/** The chart's rules (alerts and recording rules); the default Prometheus loads them like a kube-prometheus-stack would. */
const RULES_FILE = resolve(import.meta.dirname, '../../operator/chart/files/rules.yaml');
const DASHBOARD_GROUP = 'hexactf-challenge-dashboard';

function scrapeConfig(target: string, legacy: boolean): string {
  // The legacy job makes the series look like the original operator's: challeng_id instead of challenge_id.
  const relabel = legacy
    ? `
    metric_relabel_configs:
      - source_labels: [${STATUS_LABELS.challengeId}]
        regex: (.+)
        target_label: ${LEGACY_CHALLENGE_ID_LABEL}
      - regex: ${STATUS_LABELS.challengeId}
        action: labeldrop`
    : '';
  // The chart's recording rules are written for challenge_id: only the default job gets them.
  const rules = legacy ? '' : `rule_files: ['${RULES_FILE}']\n`;
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
${rules}scrape_configs:
  - job_name: challenge-operator
    static_configs:
      - targets: ['${target}']${relabel}
`;
}

async function lastScrapeMs(prom: Prometheus): Promise<number> {
  const body = (await (await fetch(`${prom.url}/api/v1/targets?state=active`)).json()) as {
    data: { activeTargets: Array<{ lastScrape: string; health: string }> };
  };
  const t = body.data.activeTargets[0];
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

  let opLog = '';
  try {
    const env: TestEnv = await startTestEnv({ authorizationMode: 'AlwaysAllow' });
    cleanups.push(() => env.stop());
    await env.installCrds();
    const kc = env.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    const custom = kc.makeApiClient(CustomObjectsApi);
    // New CRDs answer 429 for a moment while their watch cache warms up.
    for (const def of [definition('web-login', 'web', 'nginx:1.27'), definition('pwn-echo', 'pwn', 'busybox:1.36'),
      definition('crypto-rsa', 'crypto', 'python:3.12-slim'), definition('web-broken', 'web', 'registry.invalid/hexactf/none:0')]) {
      await waitFor(`definition ${def.metadata.name}`, () =>
        custom.createNamespacedCustomObject({ ...G, plural: 'challengedefinitions', body: def }).then(() => true));
    }

    const metricsPort = await freePort();
    const operator: ChildProcess = spawn(process.execPath, [
      OPERATOR_MAIN, '--kubeconfig', env.kubeconfigPath, '--namespace', NS,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`, '--health-probe-bind-address=0',
      '--pending-timeout=10m', '--max-per-user=2', `--deleted-series-retention=${RETENTION}`, '--challenge-ttl=0',
      '--log-level=info',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    operator.stderr!.on('data', (b) => (opLog += b));
    cleanups.push(() => stopChild(operator));
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    await waitFor('operator started', async () => opLog.includes('"operator started"') || (operator.exitCode !== null && Promise.reject(new Error(`operator exited: ${opLog}`))), 60_000);

    const target = `127.0.0.1:${metricsPort}`;
    const servers: Record<string, { default: Prometheus; legacy: Prometheus }> = {};
    for (const build of PROMETHEUS_BUILDS) {
      const promDefault = await startPrometheus({ binary: build.prometheus, config: scrapeConfig(target, false) });
      cleanups.push(() => promDefault.stop());
      const promLegacy = await startPrometheus({ binary: build.prometheus, config: scrapeConfig(target, true) });
      cleanups.push(() => promLegacy.stop());
      servers[build.name] = { default: promDefault, legacy: promLegacy };
    }
    const allServers = Object.values(servers).flatMap((s) => [s.default, s.legacy]);

    /** Resolves once every Prometheus server scraped the operator after this moment. */
    const scrapedAfter = async (ms: number) => {
      for (const prom of allServers) {
        await waitFor(`a scrape of ${prom.url} after ${new Date(ms).toISOString()}`, async () => (await lastScrapeMs(prom)) > ms + 10, 15_000);
      }
      // ... and the recording rules evaluated after that scrape. One that starts just after it may not see its samples
      // yet, so wait for one a whole evaluation interval (1 s) later; the state is not changed before that.
      for (const { default: prom } of Object.values(servers)) {
        const scrape = await lastScrapeMs(prom);
        await waitFor(`a rule evaluation of ${prom.url} after the scrape`, async () => (await lastRuleEvalMs(prom)) > scrape + 1000, 15_000);
      }
    };
    /** Waits for the operator to export name with value, then for every Prometheus server to scrape that. */
    const scraped = async (name: string, value: number) => {
      await waitFor(`${name} exported as ${value}`, async () => parseStatusSeries(await (await fetch(metricsUrl)).text()).get(name) === value, 5_000);
      await scrapedAfter(Date.now());
    };

    const startTime = Date.now() / 1000;
    // ---- the CTF
    const ctf = new Ctf(kc);
    // The retention window is Prometheus' only chance to see a deletion: wait until it scraped it.
    const seen2 = (name: string) => scraped(name, 2);
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
    await ctf.run(Ctf.nameOf('carol', '3'));
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

    // ---- converge: the operator exports what the apiserver holds, then both Prometheus servers scrape after that
    const truth = await ctf.truth();
    await waitFor('operator series equal to the apiserver', async () => {
      const series = parseStatusSeries(await (await fetch(metricsUrl)).text());
      return truth.every((r) => r.state === 'Deleted' ? (series.get(r.name) ?? 2) === 2 : series.get(r.name) === r.value);
    }, 15_000);
    await scrapedAfter(Date.now());
    // Subqueries ([range:]) evaluate at whole multiples of the 1 s evaluation interval: evaluate after the next whole
    // second following that scrape, so the final state is inside their last step too.
    const lastTimes = await Promise.all([
      ...allServers.map(lastScrapeMs),
      ...Object.values(servers).map((s) => lastRuleEvalMs(s.default)),
    ]);
    const last = Math.max(...lastTimes);
    await waitFor('the next whole second after the last scrape', async () => Date.now() > Math.ceil(last / 1000) * 1000 + 100);
    const evalTime = Date.now() / 1000;
    // History the apiserver no longer holds, from the script itself: most instances Running at once per user.
    const peakRunning = { alice: 2, bob: 1, carol: 1, erin: 1 };
    const categories = { 'web-login': 'web', 'pwn-echo': 'pwn', 'crypto-rsa': 'crypto', 'web-broken': 'web' };
    const requests = Object.fromEntries(Object.entries(REQUESTS).map(([d, r]) => [d, { cpu: r.cpu, memory: r.memoryMi * 1024 * 1024 }]));
    process.stdout.write(`PATH-READY ${JSON.stringify({
      prometheus: Object.fromEntries(Object.entries(servers).map(([name, s]) => [name, { default: s.default.url, legacy: s.legacy.url }])),
      truth, evalTime, startTime, peakRunning, categories, requests,
    })}\n`);
  } catch (err) {
    process.stderr.write(`path cluster failed: ${(err as Error).stack}\n--- operator log (tail):\n${opLog.split('\n').slice(-30).join('\n')}\n`);
    await finish(1);
    return;
  }
  process.stdin.resume();
  process.stdin.once('end', () => void finish(0));
  process.stdin.once('close', () => void finish(0));
}

void main();
