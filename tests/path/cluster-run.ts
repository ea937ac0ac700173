// The path test's cluster seen from jest (path.jest.ts): cluster.ts spawned once, the PATH-READY answer it prints
// once its script is played, its teardown, and how the dashboard variables are interpolated for a time in the run.
// The edge plays (edges-run.ts) spawn their cluster half and interpolate the same way.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Checkpoint, OriginalCheckpoint } from './checkpoints';

export interface Cluster {
  /** Per Prometheus build: the server with the chart's settings and rules, the challeng_id one, the original's. */
  prometheus: Record<string, { default: string; legacy: string; original: string }>;
  checkpoints: Checkpoint[];
  originalCheckpoints: OriginalCheckpoint[];
  startTime: number;
  peakRunning: Record<string, number>;
  categories: Record<string, string>;
  requests: Record<string, { cpu: number; memory: number }>;
  job: string;
  /** namespace/definition of every ChallengeDefinition of the run. */
  definitionKeys: string[];
}

const CLUSTER = resolve(__dirname, 'cluster.ts');
export const WINDOW = '5m'; // covers the whole run (a few minutes at most)
export const SCRAPE_INTERVAL_S = 1;
/** Grafana's $__rate_interval: max($__interval + scrape interval, 4 x scrape interval); $__interval = step = 1 s. */
export const RATE_INTERVAL_S = 4 * SCRAPE_INTERVAL_S;
export const RATE_INTERVAL = `${RATE_INTERVAL_S}s`;
/**
 * The stuck-deletion span, scaled like the operator's retention (10 s here, 60 s in the chart, whose 5 m span is 5x
 * the retention): a finished deletion must never be listed, a re-created and deleted again one neither.
 */
export const STUCK_AFTER = '50s';
export const round = (v: number) => Math.round(v * 1e6) / 1e6;
export const roundAll = (o: Record<string, number>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));
export const count = <T>(xs: T[], pred: (x: T) => boolean) => xs.filter(pred).length;

/** What cluster.ts played (set once it is ready, by startCluster). */
export let cluster: Cluster;
let run: ClusterChild<Cluster> | undefined;

/** Spawns cluster.ts and resolves once its script is played (its PATH-READY line). */
export async function startCluster(): Promise<void> {
  run = spawnCluster<Cluster>(CLUSTER, 'PATH-READY', 'cluster');
  cluster = await run.ready;
}

/** Closes cluster.ts' stdin, which tears everything down, and waits for it to exit (SIGKILL after 30 s). */
export async function stopCluster(): Promise<void> {
  await run?.stop();
}

/** A cluster half spawned with Node 24 (cluster.ts, edges-cluster.ts). */
export interface ClusterChild<T> {
  /** What it printed on its `<marker> {...}` line once its script was played. */
  ready: Promise<T>;
  /** Closes its stdin, which tears everything down, and waits for it to exit (SIGKILL after 30 s). */
  stop(): Promise<void>;
}

export function spawnCluster<T>(file: string, marker: string, what: string): ClusterChild<T> {
  let childLog = '';
  const child = spawn(process.execPath, ['--no-warnings', file], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr!.on('data', (b) => (childLog = (childLog + b).slice(-20_000)));
  const ready = new Promise<T>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (b) => {
      out += b;
      const line = out.split('\n').find((l) => l.startsWith(`${marker} `));
      if (line) {
        res(JSON.parse(line.slice(`${marker} `.length)));
      }
    });
    child.once('exit', (code) => rej(new Error(`${what} exited (${code}) before it was ready:\n${childLog}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) {
      return;
    }
    const exited = new Promise((res) => child.once('exit', res));
    child.stdin!.end(); // the cluster tears everything down when its stdin closes
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  };
  return { ready, stop };
}

/** The dashboard variables, as scenes interpolate them for a page evaluated at `at` (a range from the run's start). */
export function interpolate(query: string, at: number, startTime = cluster.startTime): string {
  const rangeS = Math.ceil(at - startTime) + 60;
  return query
    .replaceAll('$window', WINDOW)
    .replaceAll('$__range', `${rangeS}s`)
    .replaceAll('$__rate_interval', RATE_INTERVAL)
    .replaceAll('$__interval', `${SCRAPE_INTERVAL_S}s`);
}
