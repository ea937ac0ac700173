// One side of the /metrics benchmark (scrape.ts) measured: a scraper in a worker thread asks for /metrics while this
// thread's event-loop lag, timer gap and CPU time are recorded.
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { median } from './report.ts';

export interface Measure {
  scrapeMs: number;
  lagMs: number; // monitorEventLoopDelay max
  gapMs: number; // longest wait of a 1 ms timer beyond its due time
  cpuMs: number; // CPU time of the serving thread per scrape: what load on a shared machine cannot inflate
  bytes: number; // as sent
  textBytes: number; // after gunzip
  floorLagMs: number; // the same lag measure while the same process answers a trivial request instead
}

export type Encoding = 'gzip' | 'identity';

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

export async function measure(url: string, runs: number, encoding: Encoding, between: () => void): Promise<Measure> {
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
