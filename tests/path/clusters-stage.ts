// The two-cluster half of the path test (clusters.jest.ts spawns this file with Node 24, which runs it natively): per
// cluster a real etcd + kube-apiserver, the real operator (operator-process.ts) and a Prometheus 3 scraping it with the
// chart's relabelings and rules (scraping.ts) and the external label `cluster`, a Thanos sidecar in front of it; one
// Thanos Query over both sidecars. It opens Challenges in each cluster (alice's web-login in both: the same namespace,
// user and challenge), records the moment every one is Running and scraped (and seen by a step of the pages'
// last-report subquery), then stops cluster a's operator and
// records the moment cluster b has been scraped twice more. Then it prints
//   CLUSTERS-READY {"query":URL,"prometheus":{"a":URL,"b":URL},"running":T,"stopped":T,"truth":{...}}
// and keeps everything up until its stdin closes, then tears it all down.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { removeTempDir, tempDir } from '@hexactf/testing/processes';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';
import { startThanosQuery, startThanosSidecar } from '@hexactf/testing/thanos';
import { waitFor } from '@hexactf/testing/wait';
import { startTestEnv } from '../../operator/test/support/test-env.ts';
import { Ctf, NS, definition } from './ctf.ts';
import { OPERATOR_NS, Operator } from './operator-process.ts';
import { chartMetricRelabelings, lastScrapeMs, scrapeConfig, writeTargets } from './scraping.ts';

/** Each cluster's Challenges: [user, challenge id, definition]. alice's web-login is in both. */
export const PLAY: Record<'a' | 'b', Array<[string, string, string]>> = {
  a: [['alice', '101', 'web-login'], ['bob', '103', 'crypto-rsa']],
  b: [['alice', '101', 'web-login'], ['carol', '101', 'web-login'], ['dave', '103', 'crypto-rsa']],
};

async function main(): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  const teardown = async () => {
    for (const c of cleanups.reverse()) {
      await c().catch(() => {});
    }
  };
  const finish = async (code: number) => {
    await teardown();
    process.exit(code);
  };
  process.once('SIGTERM', () => void finish(0));
  try {
    const relabelings = chartMetricRelabelings();
    const sdDir = tempDir('hexactf-clusters-sd-');
    cleanups.push(async () => removeTempDir(sdDir));
    const clusters: Record<string, { op: Operator; prom: Prometheus; ctf: Ctf }> = {};
    const sidecars: string[] = [];
    for (const name of ['a', 'b'] as const) {
      const env = await startTestEnv({ authorizationMode: 'AlwaysAllow' });
      cleanups.push(() => env.stop());
      await env.installCrds();
      const core = env.kubeConfig.makeApiClient(CoreV1Api);
      for (const ns of [NS, OPERATOR_NS]) {
        await core.createNamespace({ body: { metadata: { name: ns } } });
      }
      const custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
      for (const def of [definition('web-login', 'web', 'nginx:1.27'), definition('crypto-rsa', 'crypto', 'python:3.12-slim')]) {
        // New CRDs answer 429 for a moment while their watch cache warms up.
        await waitFor(`definition ${name}/${def.metadata.name}`, () =>
          custom
            .createNamespacedCustomObject({ group: 'apps.hexactf.io', version: 'v1alpha1', namespace: NS, plural: 'challengedefinitions', body: def })
            .then(() => true)
        );
      }
      const op = new Operator(env);
      cleanups.push(() => op.stop());
      await op.start();
      const targets = join(sdDir, `operator-${name}.json`);
      writeTargets(targets, op.address, op.pod);
      // The cluster's Prometheus as kube-prometheus-stack runs it: externalLabels.cluster, the chart's ServiceMonitor.
      const config = scrapeConfig('default', targets, relabelings).replace('global:\n', `global:\n  external_labels: {cluster: ${name}}\n`);
      const prom = await startPrometheus({ binary: PROMETHEUS_BUILDS.find((b) => b.major === 3)!.prometheus, config });
      cleanups.push(() => prom.stop());
      const sidecar = await startThanosSidecar({ prometheusUrl: prom.url });
      cleanups.push(() => sidecar.stop());
      sidecars.push(sidecar.grpcAddress);
      clusters[name] = { op, prom, ctf: new Ctf(env.kubeConfig, [NS]) };
    }
    const query = await startThanosQuery({ endpoints: sidecars, replicaLabel: 'replica', dedup: 'chain' });
    cleanups.push(() => query.stop());

    for (const [name, { ctf }] of Object.entries(clusters)) {
      for (const [user, id, def] of PLAY[name as 'a' | 'b']) {
        await ctf.run(await ctf.open(user, id, def));
      }
    }
    // Every cluster's Prometheus has scraped its operator since the last Challenge turned Running.
    const scrapedAfter = async (since: number, names: string[]) => {
      for (const name of names) {
        await waitFor(`cluster ${name} scraped twice`, async () => (await lastScrapeMs(clusters[name].prom)) > since + 1000, 30_000, 200);
      }
    };
    await scrapedAfter(Date.now(), ['a', 'b']);
    // The pages' last-report subquery steps every 15 s for a short range: every operator seen at one of its steps.
    await sleep(16_000);
    const running = Date.now() / 1000;
    const truth = Object.fromEntries(
      await Promise.all(Object.entries(clusters).map(async ([name, { ctf }]) => [name, await ctf.truth()] as const))
    );

    await clusters.a.op.stop();
    const stoppedAt = Date.now();
    await sleep(1000);
    await scrapedAfter(stoppedAt, ['b']);
    const stopped = Date.now() / 1000;
    process.stdout.write(`CLUSTERS-READY ${JSON.stringify({
      query: query.url,
      prometheus: Object.fromEntries(Object.entries(clusters).map(([n, c]) => [n, c.prom.url])),
      running,
      stopped,
      truth,
    })}\n`);
  } catch (err) {
    process.stderr.write(`clusters stage failed: ${(err as Error).stack}\n`);
    await finish(1);
    return;
  }
  process.stdin.resume();
  process.stdin.once('end', () => void finish(0));
  process.stdin.once('close', () => void finish(0));
}

void main();
