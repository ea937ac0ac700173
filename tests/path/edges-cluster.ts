// The cluster half of the edge plays (tests/path/edges.jest.ts spawns this file with Node 24, as path.jest.ts spawns
// cluster.ts): a real etcd + kube-apiserver, operator replicas under leader election (child processes, each a "pod"
// with its own target `pod` label, edges-replica.ts), and per Prometheus version (builds.ts) one Prometheus with the
// chart's scrape settings (the ServiceMonitor's relabelings) and rules, scraping every replica every second. It plays
// a two-replica handover, a torn-down namespace and a job rename (edges-script.ts), recording a checkpoint after each
// step (the apiserver's truth, the time, whether the operator was reporting) and, around each handover, a span in
// which the cluster did not change. Then it prints `EDGES-READY {...}` (edges-checkpoints.ts) and keeps everything up
// until its stdin closes (or SIGTERM).
//
// Here: the stage (the servers, the ChallengeDefinitions, the first two replicas, the Prometheus servers), the plays'
// run, the EDGES-READY line, teardown.
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { removeTempDir, tempDir } from '@hexactf/testing/processes';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';
import { waitFor } from '@hexactf/testing/wait';
import { startTestEnv } from '../../operator/test/support/test-env.ts';
import { BUILDS } from './builds.ts';
import { Ctf } from './ctf.ts';
import { EDGE_JOBS, type EdgesCluster } from './edges-checkpoints.ts';
import { Replica } from './edges-replica.ts';
import { EDGE, GONE, playEdges } from './edges-script.ts';
import { OPERATOR_NS } from './operator-process.ts';
import { chartMetricRelabelings, scrapeConfig, writePodTargets } from './scraping.ts';

const NAMESPACES = [EDGE, GONE];

/** A definition's spec: one component, one replica of that image, behind a NodePort service. */
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
    const ctf = new Ctf(env.kubeConfig, NAMESPACES);
    for (const ns of NAMESPACES) {
      // New CRDs answer 429 for a moment while their watch cache warms up.
      await waitFor(`definitions in ${ns}`, () =>
        ctf
          .client(ns)
          .createDefinition('web-login', definitionSpec('nginx:1.27'))
          .then(() => true)
      );
      await ctf.client(ns).createDefinition('web-broken', definitionSpec('registry.invalid/hexactf/none:0'));
    }

    const newReplica = async (pod: string) => {
      const r = await Replica.create(env, pod, NAMESPACES);
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
    writePodTargets(targetsFile, [a, b]);
    const relabelings = chartMetricRelabelings();
    const servers: Array<{ name: string; prom: Prometheus }> = [];
    for (const build of BUILDS) {
      const dataDir = tempDir('hexactf-edges-tsdb-');
      cleanups.push(async () => removeTempDir(dataDir));
      const prom = await startPrometheus({
        binary: build.binary,
        dataDir,
        config: scrapeConfig('default', targetsFile, relabelings, EDGE_JOBS[0]),
        extraArgs: ['--web.enable-lifecycle'],
      });
      servers.push({ name: build.name, prom });
      cleanups.push(() => prom.stop());
    }

    const { checkpoints, spans, startTime } = await playEdges({
      ctf,
      a,
      b,
      newReplica,
      servers: servers.map((s) => s.prom),
      targetsFile,
      relabelings,
    });

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
