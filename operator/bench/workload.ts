/**
 * The operator (as a child process, as deployed) under the demo workload generator against a real
 * etcd + kube-apiserver. A kubelet stand-in plays the missing controllers: each new Deployment is reported available
 * after a short delay, except those of the failing definition, which get a pod waiting in ErrImagePull.
 * Prints reconcile latency percentiles (from the operator's controller_runtime_reconcile_time_seconds histogram),
 * time to Running (challenge_time_to_running_seconds), queue and error counts, and memory (peak RSS sampled from
 * /proc, heap from the operator's /metrics), with the median apiserver GET round trip measured in the same run as
 * the baseline.
 *
 * Run: npm run bench:workload (root or operator workspace); part of `npm run bench -w operator` (bench/run.ts).
 * Env: BENCH_SHORT=1 or --short (CI: 100 users, 5 opens/s for 40 s), BENCH_RATE, BENCH_DURATION (Go duration),
 * BENCH_NODE_FLAGS (space-separated Node flags for the operator and the bare baseline instead of the image's, to
 * compare flag sets; environment variables such as MALLOC_ARENA_MAX pass through to both).
 * Full: 500 users, 40 challenges, 10 opens/s for 3 min (1,800 opens: an event's few thousand opens per hour,
 * compressed about tenfold), mean hold 90 s, at most 3 live per player.
 */
import { CONTROLLER_METRICS, TIME_TO_RUNNING_METRIC } from '@hexactf/contract';
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { ChallengeClient } from '@hexactf/testing/challenge-client';
import { freePort } from '@hexactf/testing/ports';
import { stopChild } from '@hexactf/testing/processes';
import { waitFor } from '@hexactf/testing/wait';
import { startTestEnv } from '../test/support/test-env.ts';
import { applyDefinitions, loadDefinitions } from '../demo/catalog.ts';
import { defaultOptions, parseDuration, type WorkloadOptions } from '../demo/options.ts';
import { runWorkload } from '../demo/workload.ts';
import { cpuSeconds, histogramQuantile, mib, ms, rssBytes, sumOf } from './metrics-text.ts';
import { startKubeletStandIn } from './kubelet-stand-in.ts';
import { IMAGE_NODE_FLAGS, row, short } from './report.ts';
import { buildCompiledOperator, compiledOperatorArgs } from './compiled-operator.ts';

const SHORT = short();
const NS = 'bench-workload';
/** --kube-api-qps / --kube-api-burst for an event of this size (about 10 requests per open; operator README). */
const KUBE_API_QPS = Number(process.env.BENCH_KUBE_API_QPS ?? 200);
const KUBE_API_BURST = Number(process.env.BENCH_KUBE_API_BURST ?? 400);
/** How long the kubelet stand-in takes to report a Deployment available (image pull + start, compressed). */
const STARTUP_DELAY_MS = 200;
/** The operator's Node flags: the image's, or BENCH_NODE_FLAGS to compare others. */
const NODE_FLAGS =
  process.env.BENCH_NODE_FLAGS === undefined
    ? IMAGE_NODE_FLAGS
    : process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean);

async function main(): Promise<void> {
  const loadAverageAtStart = loadavg()[0];
  const options: WorkloadOptions = {
    ...defaultOptions,
    namespace: NS,
    users: SHORT ? 100 : 500,
    challenges: 40,
    rate: Number(process.env.BENCH_RATE ?? (SHORT ? 5 : 10)),
    durationMs: parseDuration(process.env.BENCH_DURATION ?? (SHORT ? '40s' : '3m')),
    holdMs: SHORT ? 30_000 : 150_000,
    maxPerUser: 3,
    failRatio: 0.1,
    seed: 7,
    cleanup: false,
  };
  // Every instance has a Service: the test env's default /24 service range (254 ClusterIPs) would run out at event
  // size ("failed to allocate a serviceIP: range is full"), so give it a /16 like a real cluster's.
  const env = await startTestEnv({
    authorizationMode: 'AlwaysAllow',
    extraApiserverArgs: ['--service-cluster-ip-range=10.96.0.0/16'],
  });
  const stops: Array<() => Promise<void>> = [() => env.stop()];
  try {
    await env.installCrds();
    const kc = env.kubeConfig;
    const defs = loadDefinitions();
    await applyDefinitions(kc, NS, defs);
    const failingDefs = new Set(
      defs.filter((d) => d.metadata.labels?.['demo.hexactf.io/fails'] === 'true').map((d) => d.metadata.name)
    );

    buildCompiledOperator();
    const port = await freePort();
    const operator = spawn(
      process.execPath,
      [
        ...compiledOperatorArgs(NODE_FLAGS, env.kubeconfigPath, NS, port),
        `--kube-api-qps=${KUBE_API_QPS}`,
        `--kube-api-burst=${KUBE_API_BURST}`,
        `--emit-events=${process.env.BENCH_EMIT_EVENTS ?? 'true'}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] }
    );
    stops.unshift(() => stopChild(operator));
    let opLog = '';
    operator.stderr!.on('data', (b) => (opLog = (opLog + b).slice(-200_000)));
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    await waitFor(
      () => `the operator's /metrics:\n${opLog}`,
      async () => {
        if (operator.exitCode !== null) {
          throw new Error(`operator exited (${operator.exitCode})`);
        }
        return (await fetch(metricsUrl)).ok;
      },
      60_000,
      200
    );

    // Baseline: a bare Node process under the same flags, started now and measured at the same moment.
    const bare = spawn(process.execPath, [...NODE_FLAGS, '-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    stops.unshift(() => stopChild(bare));
    await sleep(5000); // settled after startup, before any load
    const idleRss = rssBytes(operator.pid!);
    const bareRss = rssBytes(bare.pid!);
    await stopChild(bare);
    const idleText = await (await fetch(metricsUrl)).text();
    const idleCpu = cpuSeconds(operator.pid!);

    // Kubelet stand-in: report each new Deployment available, or fail the failing definition's pull.
    const client = new ChallengeClient(kc, NS);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const definitionOf = new Map<string, string>();
    const standIn = await startKubeletStandIn(kc, client, NS, STARTUP_DELAY_MS, (challenge) =>
      failingDefs.has(definitionOf.get(challenge) ?? '')
    );
    stops.unshift(async () => standIn.stop());

    // Sample the operator's RSS while the load runs, and remember it at the most live instances.
    let peakRss = 0;
    let liveNow = 0;
    let peakLiveSeen = 0;
    let rssAtPeakLive = 0;
    const sampler = setInterval(() => {
      try {
        const rss = rssBytes(operator.pid!);
        peakRss = Math.max(peakRss, rss);
        if (liveNow >= peakLiveSeen) {
          peakLiveSeen = liveNow;
          rssAtPeakLive = rss;
        }
      } catch {
        // exited
      }
    }, 250);
    stops.unshift(async () => clearInterval(sampler));

    const started = performance.now();
    const stats = await runWorkload(kc, options, defs, {
      onOpen: (name, entry) => {
        liveNow++;
        definitionOf.set(`${NS}/${name}`, entry.definition);
        definitionOf.set(name, entry.definition);
      },
      onClose: () => liveNow--,
    });
    const loadS = (performance.now() - started) / 1000;
    const loadCpu = cpuSeconds(operator.pid!);
    // Let the queue drain: wait until workqueue_depth is 0 twice in a row (bounded).
    const drainDeadline = Date.now() + 60_000;
    let zeros = 0;
    while (zeros < 2 && Date.now() < drainDeadline) {
      const text = await (await fetch(metricsUrl)).text();
      zeros = sumOf(text, CONTROLLER_METRICS.queueDepth) === 0 ? zeros + 1 : 0;
      await sleep(500);
    }
    const text = await (await fetch(metricsUrl)).text();
    const drainedCpu = cpuSeconds(operator.pid!);

    // Baseline: the median round trip of a plain GET of one Challenge from the same apiserver, same run.
    const list = (await custom.listNamespacedCustomObject({
      group: 'apps.hexactf.io',
      version: 'v1alpha1',
      namespace: NS,
      plural: 'challenges',
      limit: 1,
    })) as { items: Array<{ metadata: { name: string } }> };
    const rtts: number[] = [];
    for (let i = 0; i < 50 && list.items[0]; i++) {
      const t0 = performance.now();
      await custom.getNamespacedCustomObject({
        group: 'apps.hexactf.io',
        version: 'v1alpha1',
        namespace: NS,
        plural: 'challenges',
        name: list.items[0].metadata.name,
      });
      rtts.push((performance.now() - t0) / 1000);
    }
    rtts.sort((a, b) => a - b);
    const base = rtts[Math.floor(rtts.length / 2)] ?? NaN;

    const live = (await custom.listNamespacedCustomObject({
      group: 'apps.hexactf.io',
      version: 'v1alpha1',
      namespace: NS,
      plural: 'challenges',
    })) as { items: Array<{ status?: { currentStatus?: { state?: string } } }> };
    const byState: Record<string, number> = {};
    for (const c of live.items) {
      const s = c.status?.currentStatus?.state ?? '(none)';
      byState[s] = (byState[s] ?? 0) + 1;
    }

    process.stdout.write(`\noperator under the demo workload (${SHORT ? 'short' : 'full'} mode)\n`);
    row('node flags (operator and bare baseline)', NODE_FLAGS.join(' ') || '(none)');
    row(
      '1-minute load average at the start / at the end',
      `${loadAverageAtStart.toFixed(2)} / ${loadavg()[0].toFixed(2)}`
    );
    row('players / challenges', `${options.users} / ${options.challenges}`);
    row(
      'opens (failing) / closes / skipped / errors',
      `${stats.opened} (${stats.openedFailing}) / ${stats.closed} / ${stats.skipped} / ${stats.errors}`
    );
    row(
      'load duration, rate',
      `${loadS.toFixed(0)} s at ${options.rate}/s (${Math.round((stats.opened / loadS) * 3600)} opens/h)`
    );
    row('live Challenges at the end by state', JSON.stringify(byState));
    row('peak live (generator)', String(stats.peakLive));
    const reconciles = sumOf(text, CONTROLLER_METRICS.reconcileTotal);
    row('reconciles / errors', `${reconciles} / ${sumOf(text, CONTROLLER_METRICS.reconcileErrors)}`);
    row('baseline: apiserver GET round trip (median)', ms(base));
    for (const q of [0.5, 0.9, 0.99]) {
      const v = histogramQuantile(text, CONTROLLER_METRICS.reconcileTime, q);
      row(`reconcile time p${q * 100}`, `${ms(v)}  (${(v / base).toFixed(1)}x baseline)`);
    }
    for (const q of [0.5, 0.9, 0.99]) {
      row(
        `time to Running p${q * 100} (incl. ${STARTUP_DELAY_MS} ms stand-in delay)`,
        ms(histogramQuantile(text, TIME_TO_RUNNING_METRIC, q))
      );
    }
    row(
      'queue wait p99 (workqueue_queue_duration_seconds)',
      ms(histogramQuantile(text, CONTROLLER_METRICS.queueDuration, 0.99))
    );
    const memory = (t: string) =>
      `heap used ${mib(sumOf(t, 'nodejs_heap_size_used_bytes'))}, external ${mib(sumOf(t, 'nodejs_external_memory_bytes'))}, array buffers ${mib(sumOf(t, 'nodejs_array_buffers_bytes'))}`;
    // CPU time from /proc (user + system), the operator's whole process: JIT compiler threads and GC included.
    const cpuPerReconcile = (drainedCpu - idleCpu) / Math.max(1, reconciles);
    row(
      'operator CPU time: startup and idle / workload / drain',
      `${idleCpu.toFixed(2)} s / ${(loadCpu - idleCpu).toFixed(2)} s / ${(drainedCpu - loadCpu).toFixed(2)} s (${ms(cpuPerReconcile)} per reconcile)`
    );
    row('baseline: bare Node process RSS (same flags, same moment)', mib(bareRss));
    row(
      'operator RSS idle after startup (target <= 60 MiB)',
      `${mib(idleRss)} (${(idleRss / bareRss).toFixed(2)}x baseline; ${idleRss <= 60 * 2 ** 20 ? 'met' : 'NOT met'}); ${memory(idleText)}`
    );
    row(
      `operator RSS at the most live instances (${peakLiveSeen})`,
      `${mib(rssAtPeakLive)}${peakLiveSeen >= 1000 ? ` (target <= 200 MiB at 1,000: ${rssAtPeakLive <= 200 * 2 ** 20 ? 'met' : 'NOT met'})` : ''}`
    );
    row('operator RSS peak (sampled /proc every 250 ms)', mib(peakRss));
    row('operator RSS at the end, after the drain', `${mib(rssBytes(operator.pid!))}; ${memory(text)}`);
    row('kubelet stand-in errors / watch restarts', `${standIn.errors()} / ${standIn.watchRestarts()}`);
    const reasons = new Map<string, number>();
    for (const line of opLog.split('\n')) {
      try {
        const entry = JSON.parse(line) as { level?: string; msg?: string; code?: number; error?: string; err?: string };
        if (entry.level === 'error' || entry.level === 'warn') {
          const key = `${entry.msg}${entry.code ? ` ${entry.code}` : ''}: ${String(entry.error ?? entry.err ?? '')
            .replace(/[a-z0-9-]+-player-\d+[a-z0-9-]*/g, '<name>')
            .slice(0, 100)}`;
          reasons.set(key, (reasons.get(key) ?? 0) + 1);
        }
      } catch {
        // not a JSON log line
      }
    }
    for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5)) {
      row('  operator log (last 200 kB of warn/error)', `${n}x ${reason}`);
    }
  } finally {
    for (const stop of stops) {
      await stop().catch(() => {});
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
);
