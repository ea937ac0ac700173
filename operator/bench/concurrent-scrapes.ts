// 32 Prometheus-like scrapers hitting /metrics at once (a burst of 32 concurrent scrapes every second) at 10,000
// Challenges, while a prober asks /healthz every 10 ms: how long does the liveness probe wait? The operator's way (SharedRender: scrapes that
// arrive during a render share it) against the baseline of one render per scrape (the previous serveMetrics), each
// in its own process, both over the operator's own HTTP server with the same collector and registry.
// The operator's side also gzips once per render (the scrapers, like Prometheus, accept gzip); the baseline streams
// plain text per scrape, as serveMetrics did. Plain HTTP on both sides: with --metrics-secure the token verdict is
// cached, so TLS adds per-connection cost to both sides alike and does not change what is compared.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ControllerMetrics } from '../src/metrics/controller-metrics.ts';
import { LifecycleMetrics } from '../src/metrics/lifecycle-metrics.ts';
import { SharedRender, sendRendered } from '../src/metrics/shared-render.ts';
import { listen } from '../src/server/http-server.ts';
import type { Challenge } from '../src/api/types.ts';
import { collectorOver, filledInformer, makeChallenges, makeDefinitions } from './fixtures.ts';
import { percentile, row, short } from './report.ts';

const SCRAPERS = 32;
const TARGET_P99_MS = 50;

interface Result {
  healthP99: number;
  healthMax: number;
  probes: number;
  scrapes: number;
  renders: number;
  seconds: number;
}

// Scrapers and prober live in worker threads, like Prometheus and the kubelet in other processes.
// The scraper reads raw bytes (no decompression, no parsing): Prometheus does that work in its own process, and
// here it would only take CPU from the operator's thread on a 2-core machine.
const SCRAPER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: workerData.n });
let stop = false, scrapes = 0;
parentPort.on('message', () => { stop = true; });
const scrape = () => new Promise((resolve, reject) => {
  http.get(workerData.url, { agent, headers: { 'accept-encoding': 'gzip' } }, (res) => {
    res.on('data', () => {}); res.on('end', () => { scrapes++; resolve(); });
  }).on('error', reject);
});
(async () => {
  // Bursts: every scraper fires at the same tick (one per second, far more often than Prometheus' 15-30 s).
  while (!stop) {
    const tick = performance.now();
    await Promise.all(Array.from({ length: workerData.n }, scrape));
    await new Promise((res) => setTimeout(res, Math.max(0, 1000 - (performance.now() - tick))));
  }
  parentPort.postMessage({ scrapes });
})();`;

const PROBER = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false; const ms = [];
parentPort.on('message', () => { stop = true; });
(async () => {
  while (!stop) {
    const t0 = performance.now();
    const r = await fetch(workerData.url); await r.text();
    ms.push(performance.now() - t0);
    await new Promise((res) => setTimeout(res, 10));
  }
  parentPort.postMessage({ ms });
})();`;

async function runSide(side: 'shared' | 'per-scrape' | 'no-scrapes', n: number, seconds: number): Promise<Result> {
  const chInf = await filledInformer<Challenge>('challenges', makeChallenges(n));
  const defInf = await filledInformer('definitions', makeDefinitions());
  const metrics = new ControllerMetrics(false);
  // The operator's registry also holds the lifecycle and event-recorder families (controller/setup.ts).
  new LifecycleMetrics(metrics.registry);
  metrics.eventStats();
  const collector = collectorOver(chInf, defInf);
  const text = new SharedRender(async (push) => {
    push(await metrics.registry.metrics());
    await collector.renderPieces(push);
  });
  let renders = 0;
  const metricsServer = await listen('127.0.0.1:0', {
    '/metrics': async (req, res) => {
      if (side === 'shared') {
        // Manager.serveMetrics
        await sendRendered(await text.get(), req.headers['accept-encoding'], metrics.registry.contentType, res);
      } else {
        // The baseline: every scrape streams its own render.
        renders++;
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.write(await metrics.registry.metrics());
        await collector.renderTo((chunk) => res.write(chunk));
        res.end();
      }
    },
  });
  const healthServer = await listen('127.0.0.1:0', {
    '/healthz': (_q, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'),
  });
  const scraper = new Worker(SCRAPER, {
    eval: true,
    workerData: { url: `${metricsServer.url}/metrics`, n: side === 'no-scrapes' ? 0 : SCRAPERS },
  });
  await new Promise((r) => setTimeout(r, 500)); // warm-up: JIT, label strings, connections
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const prober = new Worker(PROBER, { eval: true, workerData: { url: `${healthServer.url}/healthz` } });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  prober.postMessage('stop');
  const [{ ms }] = (await once(prober, 'message')) as [{ ms: number[] }];
  scraper.postMessage('stop');
  const [{ scrapes }] = (await once(scraper, 'message')) as [{ scrapes: number }];
  await Promise.all([scraper.terminate(), prober.terminate(), metricsServer.close(), healthServer.close()]);
  chInf.stop();
  defInf.stop();
  const sorted = [...ms].sort((a, b) => a - b);
  if (process.env.BENCH_DEBUG) {
    console.error(
      side,
      'slowest probes',
      sorted
        .slice(-6)
        .map((x) => x.toFixed(0))
        .join(' '),
      'loop delay max',
      (loop.max / 1e6).toFixed(0),
      'ms'
    );
  }
  return {
    healthP99: percentile(sorted, 99),
    healthMax: sorted[sorted.length - 1],
    probes: ms.length,
    scrapes,
    renders: side === 'shared' ? text.renders : renders,
    seconds,
  };
}

function runSideInChild(side: string, n: number, seconds: number): Result {
  const out = execFileSync(
    process.execPath,
    [import.meta.filename, '--side', side, '--n', String(n), '--seconds', String(seconds)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    }
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Result;
}

function concurrentScrapeBench(n: number, seconds: number): void {
  // What this machine gives a /healthz probe with no scrapes at all: the floor the other figures sit on.
  const idle = runSideInChild('no-scrapes', n, seconds);
  const base = runSideInChild('per-scrape', n, seconds);
  const shared = runSideInChild('shared', n, seconds);
  const fmt = (r: Result) =>
    `/healthz p99 ${r.healthP99.toFixed(1)} ms (max ${r.healthMax.toFixed(1)} ms, ${r.probes} probes), ` +
    `${(r.scrapes / r.seconds).toFixed(0)} scrapes/s from ${r.renders} renders`;
  row(
    `no scrapes, ${n} Challenges (the machine's floor)`,
    `/healthz p99 ${idle.healthP99.toFixed(1)} ms (max ${idle.healthMax.toFixed(1)} ms, ${idle.probes} probes)`
  );
  row(`${SCRAPERS} concurrent scrapes, ${n} Challenges: one render each (baseline)`, fmt(base));
  row(`${SCRAPERS} concurrent scrapes, ${n} Challenges: shared render`, fmt(shared));
  row(
    `${SCRAPERS} concurrent scrapes: shared vs baseline`,
    `/healthz p99 ${(base.healthP99 / shared.healthP99).toFixed(1)}x lower, ` +
      `${(shared.scrapes / shared.seconds / (base.scrapes / base.seconds)).toFixed(1)}x the scrapes/s`
  );
  row(
    `${SCRAPERS} concurrent scrapes: machine load (1-min average, ${availableParallelism()} CPUs)`,
    loadavg()[0].toFixed(1)
  );
  row(
    `${SCRAPERS} concurrent scrapes target (/healthz p99 <= ${TARGET_P99_MS} ms)`,
    shared.healthP99 <= TARGET_P99_MS ? 'met' : 'NOT met'
  );
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const side = arg('--side');
  if (side === 'shared' || side === 'per-scrape' || side === 'no-scrapes') {
    process.stdout.write(JSON.stringify(await runSide(side, Number(arg('--n')), Number(arg('--seconds')))) + '\n');
  } else {
    concurrentScrapeBench(10_000, short() ? 4 : 15);
  }
}
