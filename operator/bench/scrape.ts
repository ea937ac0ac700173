// /metrics at 10,000 and 100,000 Challenges: the operator's scrape-time collector against prom-client's default
// GaugeVec rendering of the same series, both served over HTTP by the operator's own server in this process.
// Reported per scrape: wall time (median), and the event-loop lag during the scrape (perf_hooks
// monitorEventLoopDelay, max): how long everything else in the operator (reconciles, lease renewals) waits.
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { CATEGORY_LABEL, DEFINITION_LABEL, INFO_LABELS, INFO_METRIC, LABEL_ROLES, STATUS_LABELS, STATUS_METRIC } from '@hexactf/contract';
import { Gauge } from 'prom-client';
import { stateValue } from '../src/metrics/challenge-collector.ts';
import { ControllerMetrics } from '../src/metrics/controller-metrics.ts';
import { listen } from '../src/server/http-server.ts';
import { LABEL_CHALLENGE_ID, LABEL_USER, type Challenge } from '../src/api/types.ts';
import { collectorOver, filledInformer, makeChallenges, makeDefinitions } from './fixtures.ts';
import { median, row, short } from './report.ts';

interface Measure {
  scrapeMs: number;
  lagMs: number; // monitorEventLoopDelay max
  gapMs: number; // longest wait of a 1 ms timer beyond its due time
  cpuMs: number; // CPU time of the serving thread per scrape: what load on a shared machine cannot inflate
  bytes: number;
}

/**
 * Cross-check for monitorEventLoopDelay, whose max on this Node line stays at a few ms even while prom-client
 * renders synchronously for ~600 ms: a 1 ms timer chain that records how late it ran.
 */
function timerGap(): () => number {
  let last = performance.now();
  let max = 0;
  let t: NodeJS.Timeout;
  const tick = () => {
    const now = performance.now();
    max = Math.max(max, now - last - 1);
    last = now;
    t = setTimeout(tick, 1);
  };
  t = setTimeout(tick, 1);
  return () => {
    clearTimeout(t);
    return max;
  };
}

// The scraper runs in a worker thread, like Prometheus in another process: its fetch and body decoding do not
// count against the operator's event loop, which is what the lag figure is about.
const SCRAPER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async (url) => {
  const t0 = performance.now();
  const body = await (await fetch(url)).arrayBuffer();
  parentPort.postMessage({ ms: performance.now() - t0, bytes: body.byteLength });
});`;

async function measure(url: string, runs: number): Promise<Measure> {
  const worker = new Worker(SCRAPER, { eval: true });
  const times: number[] = [];
  const lags: number[] = [];
  const gaps: number[] = [];
  const cpus: number[] = [];
  let bytes = 0;
  try {
    for (let i = 0; i < runs + 1; i++) {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const gap = timerGap();
      const cpu0 = process.threadCpuUsage();
      worker.postMessage(url);
      const [r] = (await once(worker, 'message')) as [{ ms: number; bytes: number }];
      const cpu = process.threadCpuUsage(cpu0);
      await sleep(5); // let the histogram see the loop free again
      h.disable();
      const g = gap();
      bytes = r.bytes;
      if (i === 0) continue; // warm-up (JIT, first build of cached label strings)
      times.push(r.ms);
      lags.push(h.max / 1e6);
      gaps.push(g);
      cpus.push((cpu.user + cpu.system) / 1000);
      if (process.env.BENCH_DEBUG) console.error(url, r.ms.toFixed(1), (h.max / 1e6).toFixed(1), g.toFixed(1), ((cpu.user + cpu.system) / 1000).toFixed(1));
      await sleep(20);
    }
  } finally {
    await worker.terminate();
  }
  return { scrapeMs: median(times), lagMs: Math.max(...lags), gapMs: Math.max(...gaps), cpuMs: median(cpus), bytes };
}

/** Serves n Challenges the operator's way ('operator') or prom-client's way ('baseline') and scrapes it. */
async function runSide(side: 'operator' | 'baseline', n: number, runs: number): Promise<Measure> {
  const challenges = makeChallenges(n);
  const chInf = await filledInformer<Challenge>('challenges', challenges);
  const defInf = await filledInformer('definitions', makeDefinitions());
  const metrics = new ControllerMetrics(false);
  let server;
  if (side === 'operator') {
    const collector = collectorOver(chInf, defInf);
    server = await listen('127.0.0.1:0', {
      '/metrics': async (_q, res) => {
        // What Manager.serveMetrics does: registry text, then the challenge series streamed in slices.
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.write(await metrics.registry.metrics());
        await collector.renderTo((chunk) => res.write(chunk));
        res.end();
      },
    });
  } else {
    // The same series (challenge_resource_status + challenge_info) as prom-client GaugeVecs, set once and
    // rendered by prom-client on every scrape, next to the same controller metrics.
    const registry = metrics.registry;
    const status = new Gauge({ name: STATUS_METRIC, help: 'State of each Challenge.', labelNames: LABEL_ROLES.map((r) => STATUS_LABELS[r]), registers: [registry] });
    const info = new Gauge({ name: INFO_METRIC, help: 'One series per live Challenge.', labelNames: INFO_LABELS, registers: [registry] });
    for (const ch of challenges) {
      const l = ch.metadata.labels!;
      const labels = {
        [STATUS_LABELS.challengeId]: l[LABEL_CHALLENGE_ID], [STATUS_LABELS.challengeName]: ch.metadata.name,
        [STATUS_LABELS.username]: l[LABEL_USER], [STATUS_LABELS.namespace]: ch.metadata.namespace!,
      };
      status.set(labels, stateValue(ch));
      const def = defInf.get(`${ch.metadata.namespace}/${ch.spec.definition}`);
      info.set({ ...labels, [DEFINITION_LABEL]: ch.spec.definition, [CATEGORY_LABEL]: def?.spec.category ?? '' }, 1);
    }
    server = await listen('127.0.0.1:0', {
      '/metrics': async (_q, res) => void res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics()),
    });
  }
  try {
    return await measure(`${server.url}/metrics`, runs);
  } finally {
    await server.close();
    chInf.stop();
    defInf.stop();
  }
}

/** Each side in its own process, so neither pays for the other's heap in garbage collection. */
function runSideInChild(side: string, n: number, runs: number): Measure {
  const out = execFileSync(process.execPath, [import.meta.filename, '--side', side, '--n', String(n), '--runs', String(runs)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Measure;
}

export async function scrapeBench(sizes: number[], runs: number): Promise<void> {
  for (const n of sizes) {
    const b = runSideInChild('baseline', n, runs);
    const o = runSideInChild('operator', n, runs);
    const mb = (s: number) => `${(s / 1e6).toFixed(1)} MB`;
    const lag = (m: Measure) => Math.max(m.lagMs, m.gapMs);
    const fmt = (m: Measure) => `${m.scrapeMs.toFixed(1)} ms/scrape (median of ${runs}; serving thread CPU ${m.cpuMs.toFixed(1)} ms), event-loop lag max ${m.lagMs.toFixed(1)} ms (monitorEventLoopDelay) / ${m.gapMs.toFixed(1)} ms (timer gap), ${mb(m.bytes)}`;
    row(`scrape ${n} Challenges: prom-client GaugeVec (baseline)`, fmt(b));
    row(`scrape ${n} Challenges: operator collector`, fmt(o));
    row(`scrape ${n} Challenges: operator vs baseline`, `${(b.scrapeMs / o.scrapeMs).toFixed(1)}x faster (CPU ${(b.cpuMs / o.cpuMs).toFixed(1)}x less), worst lag ${(lag(o) / lag(b)).toFixed(3)}x of baseline's`);
    row(`scrape ${n} Challenges: machine load (1-min average, ${availableParallelism()} CPUs)`, loadavg()[0].toFixed(1));
    if (n >= 100_000) {
      const ok = o.scrapeMs <= 100 && b.scrapeMs / o.scrapeMs >= 5 && lag(o) <= 20;
      row(`scrape ${n} targets (<=100 ms, >=5x faster, lag <=20 ms)`, ok ? 'met' : 'NOT met');
    }
  }
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const side = arg('--side');
  if (side === 'operator' || side === 'baseline') {
    process.stdout.write(JSON.stringify(await runSide(side, Number(arg('--n')), Number(arg('--runs')))) + '\n');
  } else {
    const s = short();
    await scrapeBench(s ? [10_000] : [10_000, 100_000], s ? 3 : 7);
  }
}
