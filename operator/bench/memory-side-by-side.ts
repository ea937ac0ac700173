/**
 * Resident memory of the compiled operator, as the image runs it, beside a Go controller-runtime operator of the
 * original's shape (operator/bench/go-baseline: a stand-in built for this benchmark, not the original operator),
 * each against a fresh real etcd + kube-apiserver of its own, one after the other in the same run. For each:
 * RSS 5 s after startup (idle), then N Challenges created (50 at a time), their Deployments reported available
 * (bench/deployments-available.ts), RSS once all N are Running, and again a while after (60 s; short: 10 s).
 * RSS is VmRSS from /proc/<pid>/status. Baselines printed beside each figure: the other operator's (ratio ours/Go),
 * measured at the same moment under the image's V8 flags a bare Node process and a Node process that does only the
 * operator's I/O (bench/io-floor.mjs: TLS list + watch of its six kinds, an HTTP server), and the load average.
 *
 * Run: node bench/memory-side-by-side.ts [--short]; part of `npm run bench -w operator` (bench/run.ts).
 * N: 1,000 (full), 100 (BENCH_SHORT=1 or --short), or BENCH_SIDE_BY_SIDE_N.
 * Needs challenge-operator-go-stand-in in $HEXACTF_BIN (scripts/install-test-tools.sh go-baseline).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { binDir } from '@hexactf/testing/tools';
import { freePort } from '@hexactf/testing/ports';
import { stopChild } from '@hexactf/testing/processes';
import { waitFor } from '@hexactf/testing/wait';
import { startTestEnv, type TestEnv } from '../test/support/test-env.ts';
import { definitionSpec } from '../test/integration/harness.ts';
import { pool } from '../test/stress/support.ts';
import { RestClient } from '../src/kube/rest.ts';
import { API_VERSION } from '../src/api/types.ts';
import { ChallengeWatch } from './challenge-watch.ts';
import { markDeploymentsAvailable } from './deployments-available.ts';
import { rssBytes } from './metrics-text.ts';
import { challengeBody } from './reconcile.ts';
import { IMAGE_NODE_FLAGS, row, short } from './report.ts';
import { buildCompiledOperator, compiledOperatorArgs } from './compiled-operator.ts';

const SHORT = short();
const N = Number(process.env.BENCH_SIDE_BY_SIDE_N ?? (SHORT ? 100 : 1000));
const AFTER_MS = SHORT ? 10_000 : 60_000;
const NS = 'bench-memory';
const GO_BINARY = 'challenge-operator-go-stand-in';
/** How long N Challenges may take to be Running after their Deployments were marked available. */
const RUNNING_WAIT_MS = 10 * 60_000;
const IDLE_TARGET = 60 * 2 ** 20;

interface Contender {
  label: string;
  start(env: TestEnv, metricsPort: number): ChildProcess;
}

const ours: Contender = {
  label: 'TypeScript operator (compiled, image flags)',
  start: (env, port) =>
    spawn(process.execPath, compiledOperatorArgs(IMAGE_NODE_FLAGS, env.kubeconfigPath, NS, port), {
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
};

const goStandIn = (binary: string): Contender => ({
  label: 'Go stand-in (controller-runtime)',
  start: (env, port) =>
    spawn(
      binary,
      [
        `--kubeconfig=${env.kubeconfigPath}`,
        `--namespace=${NS}`,
        `--metrics-bind-address=127.0.0.1:${port}`,
        '--health-probe-bind-address=0',
        '--max-concurrent-reconciles=4', // ours' default
        '--zap-log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] }
    ),
});

interface Figures {
  idle: number;
  live: number;
  after: number;
  bare: { idle: number; live: number; after: number };
  ioFloor: { idle: number; live: number; after: number };
  load: { idle: string; live: string; after: string };
  runningS: number;
  notRunning: number;
  /** Challenges seen with status.endpoint (the Service's nodePort). */
  withEndpoint: number;
}

function uptime(): string {
  const r = spawnSync('uptime', { encoding: 'utf8' });
  const m = /load average:\s*(.*)$/.exec(r.stdout.trim());
  return m ? m[1] : r.stdout.trim();
}

/** bench/io-floor.mjs under the image's flags, as the admin of env's apiserver, watching the bench's namespace. */
function startIoFloor(env: TestEnv): ChildProcess {
  const caFile = join(mkdtempSync(join(tmpdir(), 'hexactf-io-floor-')), 'ca.crt');
  writeFileSync(caFile, Buffer.from(env.kubeConfig.getCurrentCluster()!.caData!, 'base64'));
  return spawn(
    process.execPath,
    [...IMAGE_NODE_FLAGS, join(import.meta.dirname, 'io-floor.mjs'), env.apiserverUrl, caFile, env.adminToken, NS],
    { stdio: ['ignore', 'ignore', 'inherit'] }
  );
}

async function measure(who: Contender): Promise<Figures> {
  // N Services need more cluster IPs than the test env's default /24 holds (as bench/reconcile.ts).
  const env = await startTestEnv({
    authorizationMode: 'AlwaysAllow',
    extraApiserverArgs: ['--service-cluster-ip-range=10.0.0.0/16', '--service-node-port-range=20000-39999'],
  });
  const stops: Array<() => Promise<void>> = [() => env.stop()];
  try {
    await env.installCrds();
    const rest = new RestClient(env.kubeConfig);
    stops.unshift(() => rest.close());
    await rest.request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    });
    await rest.request('POST', `/apis/apps.hexactf.io/v1alpha1/namespaces/${NS}/challengedefinitions`, {
      body: { apiVersion: API_VERSION, kind: 'ChallengeDefinition', metadata: { name: 'web' }, spec: definitionSpec() },
    });

    const port = await freePort();
    const op = who.start(env, port);
    stops.unshift(() => stopChild(op));
    let log = '';
    op.stderr!.on('data', (b) => (log = (log + b).slice(-20_000)));
    await waitFor(
      () => `${who.label}'s /metrics:\n${log}`,
      async () => {
        if (op.exitCode !== null) {
          throw new Error(`${who.label} exited (${op.exitCode}):\n${log}`);
        }
        return (await fetch(`http://127.0.0.1:${port}/metrics`)).ok;
      },
      60_000,
      200
    );
    // Baseline: a bare Node process under the image's flags, started with the operator and measured with it.
    const bare = spawn(process.execPath, [...IMAGE_NODE_FLAGS, '-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    stops.unshift(() => stopChild(bare));
    const ioFloor = startIoFloor(env);
    stops.unshift(() => stopChild(ioFloor));
    await sleep(5000); // settled after startup
    const idle = rssBytes(op.pid!);
    const bareIdle = rssBytes(bare.pid!);
    const floorIdle = rssBytes(ioFloor.pid!);
    const loadIdle = uptime();

    const watch = await ChallengeWatch.start(rest, NS);
    stops.unshift(async () => watch.stop());
    const t0 = performance.now();
    await pool(
      Array.from({ length: N }, (_, i) => `c-${i}`),
      50,
      (name, i) =>
        rest.request('POST', `/apis/apps.hexactf.io/v1alpha1/namespaces/${NS}/challenges`, {
          body: challengeBody(name, i),
        })
    );
    await watch.until(N, 'Pending'); // a Challenge seen Running counts as having been Pending
    // The Go stand-in writes Pending before it creates the children: report the Deployments available once all N are
    // there (the control plane has no Deployment controller or kubelet).
    await waitFor(
      () => `${N} Deployments:\n${log}`,
      async () =>
        (await rest.request<{ items: unknown[] }>('GET', `/apis/apps/v1/namespaces/${NS}/deployments`)).items.length >=
        N,
      120_000,
      250
    );
    await markDeploymentsAvailable(rest, NS);
    await Promise.race([watch.until(N, 'Running'), sleep(RUNNING_WAIT_MS)]);
    const runningS = (performance.now() - t0) / 1000;
    const notRunning = N - (watch.reached.get('Running') ?? 0);
    const live = rssBytes(op.pid!);
    const bareLive = rssBytes(bare.pid!);
    const floorLive = rssBytes(ioFloor.pid!);
    const loadLive = uptime();
    await sleep(AFTER_MS);
    const after = rssBytes(op.pid!);
    const bareAfter = rssBytes(bare.pid!);
    const floorAfter = rssBytes(ioFloor.pid!);
    const loadAfter = uptime();
    if (op.exitCode !== null) {
      throw new Error(`${who.label} exited (${op.exitCode}):\n${log}`);
    }
    if (ioFloor.exitCode !== null) {
      throw new Error(`the I/O floor exited (${ioFloor.exitCode})`);
    }
    return {
      idle,
      live,
      after,
      bare: { idle: bareIdle, live: bareLive, after: bareAfter },
      ioFloor: { idle: floorIdle, live: floorLive, after: floorAfter },
      load: { idle: loadIdle, live: loadLive, after: loadAfter },
      runningS,
      notRunning,
      withEndpoint: [...watch.seen.values()].filter((s) => s.endpointAt !== undefined).length,
    };
  } finally {
    for (const stop of stops) {
      await stop().catch(() => {});
    }
  }
}

async function main(): Promise<void> {
  const goBinary = join(binDir(), GO_BINARY);
  if (!existsSync(goBinary)) {
    throw new Error(
      `${GO_BINARY} not found at ${goBinary}: the side-by-side memory bench needs the Go baseline; build it with ` +
        '`bash scripts/install-test-tools.sh go-baseline` at the repository root (operator/bench/go-baseline/)'
    );
  }
  buildCompiledOperator();
  const ts = await measure(ours);
  const go = await measure(goStandIn(goBinary));

  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const line = (
    what: string,
    a: number,
    b: number,
    bare: [number, number],
    floor: [number, number],
    load: [string, string]
  ) =>
    row(
      `memory side by side: ${what}`,
      `ours ${mib(a)}, Go stand-in ${mib(b)}, ${(a / b).toFixed(2)}x; bare Node ${mib(bare[0])} / ${mib(bare[1])}; ` +
        `Node I/O floor ${mib(floor[0])} / ${mib(floor[1])}; load ${load[0]} / ${load[1]}`
    );
  process.stdout.write(`\nresident memory, ours beside a Go controller-runtime stand-in (${N} Challenges)\n`);
  for (const [what, at] of [
    ['idle, 5 s after start', 'idle'],
    [`${N} live, all Running`, 'live'],
    [`${N} live, ${AFTER_MS / 1000} s after`, 'after'],
  ] as const) {
    line(
      what,
      ts[at],
      go[at],
      [ts.bare[at], go.bare[at]],
      [ts.ioFloor[at], go.ioFloor[at]],
      [ts.load[at], go.load[at]]
    );
  }
  row(
    `memory side by side: create -> all ${N} Running`,
    `ours ${ts.runningS.toFixed(1)} s (${ts.notRunning} not Running, ${ts.withEndpoint} with endpoint), Go stand-in ${go.runningS.toFixed(1)} s (${go.notRunning} not Running, ${go.withEndpoint} with endpoint)`
  );
  row(
    'memory side by side: idle target <= 60 MiB',
    `${mib(ts.idle)}: ${ts.idle <= IDLE_TARGET ? 'met' : 'NOT met'} (the Node I/O floor alone: ${mib(ts.ioFloor.idle)})`
  );
  const liveOk = ts.live <= go.live && ts.after <= go.after;
  row(
    `memory side by side: ${N} live <= the Go stand-in's`,
    `${mib(ts.live)} vs ${mib(go.live)}, ${AFTER_MS / 1000} s after ${mib(ts.after)} vs ${mib(go.after)}: ${liveOk ? 'met' : 'NOT met'}${N < 1000 ? ` (at ${N}, not 1,000)` : ''}`
  );
  if (ts.notRunning || go.notRunning) {
    throw new Error(`not all ${N} Challenges reached Running (ours ${ts.notRunning}, Go ${go.notRunning} short)`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
);
