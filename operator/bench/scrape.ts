// /metrics at 10,000 and 100,000 Challenges: the operator's collector against prom-client's default GaugeVec
// rendering of the same series, both served over HTTP by the operator's own server in this process, the way
// Manager.serveMetrics serves them (SharedRender, sendRendered), asked for gzip as Prometheus asks, and plain.
// Reported per scrape: wall time to the last byte (median), and the event-loop lag during the scrape (perf_hooks
// monitorEventLoopDelay, max): how long everything else in the operator (reconciles, lease renewals) waits.
// With --churn N, N Challenges change state between two scrapes (the operator's cached text is then partly stale):
// scattered over all of them (the collector's worst case: every block changes), or with --churn-recent among the
// newest 5% (as at an event: recent Challenges start, fail, get closed; old ones mostly sit there).
// The measuring is in scrape-measure.ts, the served sides in scrape-side.ts; each side runs in a child process of
// this file (--side).
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { IMAGE_NODE_FLAGS, row, short } from './report.ts';
import type { Encoding, Measure } from './scrape-measure.ts';
import { runSide } from './scrape-side.ts';

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
