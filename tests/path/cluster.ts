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
//
// Here: the stage (the servers, the ChallengeDefinitions, the operator, its and the stand-in's Prometheus servers),
// the script's run (ctf-script.ts, with the stand-in's in original-play.ts meanwhile), the PATH-READY line, teardown.
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { removeTempDir, tempDir } from '@hexactf/testing/processes';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';
import { waitFor } from '@hexactf/testing/wait';
import { startTestEnv, type TestEnv } from '../../operator/test/support/test-env.ts';
import { BUILDS } from './builds.ts';
import type { OriginalCheckpoint } from './checkpoints.ts';
import { NS, NS2, REQUESTS, definition } from './ctf.ts';
import { playCtf } from './ctf-script.ts';
import { OPERATOR_NS, Operator } from './operator-process.ts';
import { OriginalOperator } from './original-operator.ts';
import { playOriginal } from './original-play.ts';
import { JOB, chartMetricRelabelings, scrapeConfig, writeTargets } from './scraping.ts';

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

    const { checkpoints, startTime, peakRunning } = await playCtf({
      kc,
      op,
      servers,
      operatorServers,
      operatorTargets,
    });

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
