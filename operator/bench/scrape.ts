// /metrics at 10,000 and 100,000 Challenges: the operator's collector against prom-client's default GaugeVec
// rendering of the same series, both served over HTTP by the operator's own server in this process, the way
// Manager.serveMetrics serves them (SharedRender, sendRendered), asked for gzip as Prometheus asks, and plain.
// Reported per scrape: wall time to the last byte (median), and the event-loop lag during the scrape (perf_hooks
// monitorEventLoopDelay, max): how long everything else in the operator (reconciles, lease renewals) waits.
// With --churn N, N Challenges change state between two scrapes (the operator's cached text is then partly stale):
// scattered over all of them (the collector's worst case: every block changes), or with --churn-recent among the
// newest 5% (as at an event: recent Challenges start, fail, get closed; old ones mostly sit there).
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import {
  CATEGORY_LABEL,
  DEFINITION_LABEL,
  INFO_LABELS,
  INFO_METRIC,
  STATUS_LABEL_ORDER,
  STATUS_LABELS,
  STATUS_METRIC,
} from '@hexactf/contract';
import { Gauge } from 'prom-client';
import { ControllerMetrics } from '../src/metrics/controller-metrics.ts';
import { LifecycleMetrics } from '../src/metrics/lifecycle-metrics.ts';
import { SharedRender, sendRendered } from '../src/metrics/shared-render.ts';
import { ChallengeCollector } from '../src/metrics/challenge-collector.ts';
import { stateValue } from '../src/metrics/challenge-families.ts';
import { realClock } from '../src/clock.ts';
import { listen } from '../src/server/http-server.ts';
import { LABEL_CHALLENGE_ID, LABEL_USER, type Challenge } from '../src/api/types.ts';
import { filledInformer, makeChallenges, makeDefinitions } from './fixtures.ts';
import { IMAGE_NODE_FLAGS, median, row, short } from './report.ts';

interface Measure {
  scrapeMs: number;
  lagMs: number; // monitorEventLoopDelay max
  gapMs: number; // longest wait of a 1 ms timer beyond its due time
  cpuMs: number; // CPU time of the serving thread per scrape: what load on a shared machine cannot inflate
  bytes: number; // as sent
  textBytes: number; // after gunzip
  floorLagMs: number; // the same lag measure while the same process answers a trivial request instead
}

type Encoding = 'gzip' | 'identity';

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

// The scraper runs in a worker thread, like Prometheus in another process: its HTTP client and gunzip do not count
// against the operator's event loop, which is what the lag figure is about. Timed to the last byte received.
const SCRAPER = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const { gunzipSync } = require('node:zlib');
parentPort.on('message', ({ url, encoding }) => {
  const t0 = performance.now();
  http.get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
    const parts = [];
    res.on('data', (c) => parts.push(c));
    res.on('end', () => {
      const ms = performance.now() - t0;
      const body = Buffer.concat(parts);
      const text = res.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
      parentPort.postMessage({ ms, bytes: body.length, textBytes: text.length });
    });
  });
});`;

async function measure(url: string, runs: number, encoding: Encoding, between: () => void): Promise<Measure> {
  const worker = new Worker(SCRAPER, { eval: true });
  const times: number[] = [];
  const lags: number[] = [];
  const gaps: number[] = [];
  const cpus: number[] = [];
  let bytes = 0;
  let textBytes = 0;
  try {
    for (let i = 0; i < runs + 1; i++) {
      between();
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const gap = timerGap();
      const cpu0 = process.threadCpuUsage();
      worker.postMessage({ url, encoding });
      const [r] = (await once(worker, 'message')) as [{ ms: number; bytes: number; textBytes: number }];
      const cpu = process.threadCpuUsage(cpu0);
      await sleep(5); // let the histogram see the loop free again
      h.disable();
      const g = gap();
      bytes = r.bytes;
      textBytes = r.textBytes;
      if (i === 0) {
        continue;
      } // warm-up (JIT, first build of cached label strings)
      times.push(r.ms);
      lags.push(h.max / 1e6);
      gaps.push(g);
      cpus.push((cpu.user + cpu.system) / 1000);
      if (process.env.BENCH_DEBUG) {
        console.error(
          url,
          r.ms.toFixed(1),
          (h.max / 1e6).toFixed(1),
          g.toFixed(1),
          ((cpu.user + cpu.system) / 1000).toFixed(1)
        );
      }
      await sleep(20);
    }
  } finally {
    await worker.terminate();
  }
  return {
    scrapeMs: median(times),
    lagMs: Math.max(...lags),
    gapMs: Math.max(...gaps),
    cpuMs: median(cpus),
    bytes,
    textBytes,
    floorLagMs: NaN,
  };
}

/** Serves n Challenges the operator's way ('operator') or prom-client's way ('baseline') and scrapes it. */
async function runSide(
  side: 'operator' | 'baseline',
  n: number,
  runs: number,
  encoding: Encoding,
  churn: number,
  recent: boolean
): Promise<Measure> {
  const challenges = makeChallenges(n);
  const chInf = await filledInformer<Challenge>('challenges', challenges);
  const defInf = await filledInformer('definitions', makeDefinitions());
  const metrics = new ControllerMetrics(false);
  // The operator's registry also holds the lifecycle and event-recorder families (controller/setup.ts).
  new LifecycleMetrics(metrics.registry);
  metrics.eventStats();
  const registry = metrics.registry;
  // The cached objects as the informer holds them, in a map the churn can replace objects in (an informer update).
  const live = new Map([...chInf.list()].map((ch) => [`${ch.metadata.namespace}/${ch.metadata.name}`, ch]));
  let render: SharedRender;
  let between = () => {};
  if (side === 'operator') {
    const collector = new ChallengeCollector(
      {
        challenges: () => live.values(),
        get: (k) => live.get(k),
        definitions: () => defInf.list(),
        definition: (ns, name) => defInf.get(`${ns}/${name}`),
      },
      realClock,
      60_000
    );
    // What MetricsEndpoint (src/server/metrics-endpoint.ts) renders: registry text, then the challenge series.
    render = new SharedRender(async (push) => {
      push(await registry.metrics());
      await collector.renderPieces(push);
    });
    let round = 0;
    const all = [...live.keys()];
    const keys = recent ? all.slice(Math.floor(all.length * 0.95)) : all;
    between = () => {
      round++;
      for (let i = 0; i < churn; i++) {
        const key = keys[(round * 7919 + i * 104_729) % keys.length];
        const ch = live.get(key)!;
        const state = ch.status?.currentStatus?.state === 'Running' ? 'Error' : 'Running';
        live.set(key, { ...ch, status: { ...ch.status, currentStatus: { state, errorMsg: '' } } });
      }
    };
  } else {
    // The same series (challenge_resource_status + challenge_info) as prom-client GaugeVecs, set once and
    // rendered by prom-client on every scrape, next to the same controller metrics.
    const status = new Gauge({
      name: STATUS_METRIC,
      help: 'State of each Challenge.',
      labelNames: STATUS_LABEL_ORDER.map((r) => STATUS_LABELS[r]),
      registers: [registry],
    });
    const info = new Gauge({
      name: INFO_METRIC,
      help: 'One series per live Challenge.',
      labelNames: INFO_LABELS,
      registers: [registry],
    });
    for (const ch of challenges) {
      const l = ch.metadata.labels!;
      const labels = {
        [STATUS_LABELS.challengeId]: l[LABEL_CHALLENGE_ID],
        [STATUS_LABELS.challengeName]: ch.metadata.name,
        [STATUS_LABELS.username]: l[LABEL_USER],
        [STATUS_LABELS.namespace]: ch.metadata.namespace!,
      };
      status.set(labels, stateValue(ch));
      const def = defInf.get(`${ch.metadata.namespace}/${ch.spec.definition}`);
      info.set({ ...labels, [DEFINITION_LABEL]: ch.spec.definition, [CATEGORY_LABEL]: def?.spec.category ?? '' }, 1);
    }
    render = new SharedRender(async (push) => push(await registry.metrics()));
  }
  const server = await listen('127.0.0.1:0', {
    '/metrics': async (req, res) =>
      sendRendered(await render.get(), req.headers['accept-encoding'], registry.contentType, res),
    '/floor': (_q, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'),
  });
  try {
    // The fixtures' garbage (100,000 objects built, listed and copied) is collected before measuring: the lag
    // figures are about the scrape, not about a major GC of the setup that happens to fall into one.
    globalThis.gc?.();
    const m = await measure(`${server.url}/metrics`, runs, encoding, between);
    // What the machine alone does to the lag figure (a shared machine's scheduler, the process' own GC).
    const floor = await measure(`${server.url}/floor`, runs, encoding, () => {});
    return { ...m, floorLagMs: Math.max(floor.lagMs, floor.gapMs) };
  } finally {
    await server.close();
    chInf.stop();
    defInf.stop();
  }
}

/** Each side in its own process (under the image's V8 flags), so neither pays for the other's heap in garbage collection. */
function runSideInChild(side: string, n: number, runs: number, encoding: Encoding, churn = 0, recent = false): Measure {
  const args = [
    '--side',
    side,
    '--n',
    String(n),
    '--runs',
    String(runs),
    '--encoding',
    encoding,
    '--churn',
    String(churn),
    ...(recent ? ['--churn-recent'] : []),
  ];
  const out = execFileSync(process.execPath, [...IMAGE_NODE_FLAGS, '--expose-gc', import.meta.filename, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Measure;
}

async function scrapeBench(sizes: number[], runs: number): Promise<void> {
  const mb = (s: number) => `${(s / 1e6).toFixed(1)} MB`;
  const lag = (m: Measure) => Math.max(m.lagMs, m.gapMs);
  const fmt = (m: Measure) =>
    `${m.scrapeMs.toFixed(1)} ms/scrape (median of ${runs}; serving thread CPU ${m.cpuMs.toFixed(1)} ms), event-loop lag max ${m.lagMs.toFixed(1)} ms (monitorEventLoopDelay) / ${m.gapMs.toFixed(1)} ms (timer gap) (no-scrape floor ${m.floorLagMs.toFixed(1)} ms), ${mb(m.bytes)} sent (${mb(m.textBytes)} text)`;
  for (const n of sizes) {
    for (const encoding of ['gzip', 'identity'] as const) {
      const b = runSideInChild('baseline', n, runs, encoding);
      const o = runSideInChild('operator', n, runs, encoding);
      const what = `scrape ${n} Challenges, ${encoding}`;
      row(`${what}: prom-client GaugeVec (baseline)`, fmt(b));
      row(`${what}: operator collector`, fmt(o));
      row(
        `${what}: operator vs baseline`,
        `${(b.scrapeMs / o.scrapeMs).toFixed(1)}x faster (CPU ${(b.cpuMs / o.cpuMs).toFixed(1)}x less), worst lag ${(lag(o) / lag(b)).toFixed(3)}x of baseline's`
      );
      if (n >= 100_000) {
        const churn = n / 100;
        const c = runSideInChild('operator', n, runs, encoding, churn);
        const met = (m: Measure) =>
          m.scrapeMs <= 100 && b.scrapeMs / m.scrapeMs >= 5 && lag(m) <= 20 ? 'met' : 'NOT met';
        row(`${what} targets (<=100 ms, >=5x faster, lag <=20 ms)`, met(o));
        row(`${what}: operator, ${churn} changed between scrapes, scattered`, fmt(c));
        row(`${what}: the same targets with ${churn} scattered changes`, met(c));
        const r = runSideInChild('operator', n, runs, encoding, churn, true);
        row(`${what}: operator, ${churn} of the newest 5% changed between scrapes`, fmt(r));
        row(`${what}: the same targets with ${churn} recent changes`, met(r));
      }
      row(`${what}: machine load (1-min average, ${availableParallelism()} CPUs)`, loadavg()[0].toFixed(1));
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
    const encoding = arg('--encoding') === 'identity' ? 'identity' : 'gzip';
    process.stdout.write(
      JSON.stringify(
        await runSide(
          side,
          Number(arg('--n')),
          Number(arg('--runs')),
          encoding,
          Number(arg('--churn') ?? 0),
          process.argv.includes('--churn-recent')
        )
      ) + '\n'
    );
  } else {
    const s = short();
    await scrapeBench(s ? [10_000] : [10_000, 100_000], s ? 3 : 7);
  }
}
