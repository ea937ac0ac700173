/**
 * Prometheus 3 servers over the e2e fixture or a variant of it (a cluster's share, a replica with an outage), each
 * with its own backfilled TSDB and the external labels a cluster's Prometheus carries: the truth the engine tests
 * compare Thanos and VictoriaMetrics against, and what a Thanos sidecar serves.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDir, tempDir } from '@hexactf/testing/processes';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';

import { CONTROLLER_HEARTBEAT } from '../queries/heartbeat';
import { FIXTURES } from './fixture-queries';

/** The fixture's sample lines, each `name{labels} value seconds`. */
const samples = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
const asOpenMetrics = (lines: string[]) => `${lines.join('\n')}\n# EOF\n`;

/** The fixture without any series of `user` (its username label). */
export function withoutUser(text: string, user: string): string {
  return asOpenMetrics(samples(text).filter((l) => !l.includes(`username="${user}"`)));
}

/** The fixture with `from`'s series under username `to` (another user's instances: no clash with `from`). */
export function renameUser(text: string, from: string, to: string): string {
  return asOpenMetrics(samples(text).map((l) => l.replace(`username="${from}"`, `username="${to}"`)));
}

/** The fixture without the samples in [fromS, toS): what a replica that was down for that stretch holds. */
export function withoutStretch(text: string, fromS: number, toS: number): string {
  return asOpenMetrics(
    samples(text).filter((l) => {
      const t = Number(l.slice(l.lastIndexOf(' ') + 1));
      return t < fromS || t >= toS;
    })
  );
}

/**
 * The fixture with every sample `seconds` earlier: what a replica scraping the same targets at another phase of
 * the scrape interval holds (each scrape sees the state of the next one of the other replica, a little earlier).
 */
export function shiftedBy(text: string, seconds: number): string {
  return asOpenMetrics(
    samples(text).map((l) => {
      const cut = l.lastIndexOf(' ');
      return `${l.slice(0, cut)} ${Number(l.slice(cut + 1)) + seconds}`;
    })
  );
}

/**
 * The fixture with the operator's other heartbeat, the Challenge controller's reconcile counter, at every time the
 * fixture has a sample (so it stops where the fixture stops): what the pages' per-cluster banner reads.
 */
export function withControllerHeartbeat(text: string): string {
  const lines = samples(text);
  const times = [...new Set(lines.map((l) => Number(l.slice(l.lastIndexOf(' ') + 1))))].sort((a, b) => a - b);
  const counter = times.map((t, i) => `${CONTROLLER_HEARTBEAT.slice(0, -1)},result="success"} ${i} ${t}`);
  return asOpenMetrics([...lines, ...counter]);
}

export interface FixturePrometheus extends Prometheus {
  /** Stops the server and removes its TSDB. */
  close(): Promise<void>;
}

/**
 * Prometheus 3 over `text` backfilled by promtool, with `global.external_labels` when given, and the TSDB blocks in
 * `blocksDir` (e.g. backfilled recording rules, rule-history.ts) added before it starts, so it serves them at once.
 */
export async function fixturePrometheus(
  text: string,
  externalLabels: Record<string, string> = {},
  blocksDir?: string
): Promise<FixturePrometheus> {
  const dir = tempDir('hexactf-fixture-variant-');
  const file = join(dir, 'fixture.om.txt');
  writeFileSync(file, text);
  const tsdb = join(dir, 'tsdb');
  execFileSync('sh', [join(FIXTURES, 'build-tsdb.sh'), tsdb, file], { stdio: 'pipe' });
  for (const block of blocksDir ? readdirSync(blocksDir) : []) {
    cpSync(join(blocksDir!, block), join(tsdb, block), { recursive: true });
  }
  const labels = Object.entries(externalLabels)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(', ');
  let prometheus: Prometheus;
  try {
    prometheus = await startPrometheus({
      binary: PROMETHEUS_BUILDS.find((b) => b.major === 3)!.prometheus,
      config: `global:\n  scrape_interval: 60s\n${labels ? `  external_labels: {${labels}}\n` : ''}scrape_configs: []\n`,
      dataDir: tsdb,
      retention: '100y',
      startTimeoutMs: 30_000,
    });
  } catch (err) {
    removeTempDir(dir);
    throw err;
  }
  return {
    ...prometheus,
    async close() {
      await prometheus.stop();
      removeTempDir(dir);
    },
  };
}
