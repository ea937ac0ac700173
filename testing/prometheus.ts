// A real Prometheus (Debian's `prometheus`, see tools.ts) on 127.0.0.1 with its own config and data directory, for
// the path test, the e2e fixture test, the operator's exposition and stack tests and the query benchmark.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@hexactf/testing/ports';
import { removeTempDir, spawnLogged, stopChild, tail, tempDir } from '@hexactf/testing/processes';
import { httpStatus, promApi } from '@hexactf/testing/prom-api';
import { toolPath } from '@hexactf/testing/tools';
import { waitFor } from '@hexactf/testing/wait';

export interface PrometheusOptions {
  /** prometheus.yml contents (YAML, or JSON, which is YAML). */
  config: string;
  /** The prometheus binary; default Debian's (prometheus-builds.ts lists the versions). */
  binary?: string;
  /** An existing TSDB directory (e.g. backfilled blocks); default: a fresh one in the temp dir. */
  dataDir?: string;
  /** --storage.tsdb.retention.time; backfilled fixtures at a fixed old time need a long one. */
  retention?: string;
  extraArgs?: string[];
  startTimeoutMs?: number;
}

interface ScrapeTarget {
  health: string;
  lastError: string;
  scrapeUrl: string;
}

export interface Prometheus {
  url: string;
  logFile: string;
  /** Series of `match` as Prometheus stored them (label name -> value). */
  series(match: string): Promise<Array<Record<string, string>>>;
  /** An instant query's result now (vector or matrix elements). */
  query(expr: string): Promise<Array<{ metric: Record<string, string> }>>;
  /** Waits until there are `count` active targets and each has been scraped successfully at least once. */
  waitForScrapes(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts Prometheus and resolves once /-/ready answers; on failure kills it and throws with its log's tail. */
export async function startPrometheus(o: PrometheusOptions): Promise<Prometheus> {
  const dir = tempDir('hexactf-prom-');
  const port = await freePort();
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, o.config);
  const logFile = join(dir, 'prometheus.log');
  const child = spawnLogged(o.binary ?? toolPath('prometheus'), [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${o.dataDir ?? join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--storage.tsdb.retention.time=${o.retention ?? '30d'}`,
    ...(o.extraArgs ?? []),
  ], logFile);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    removeTempDir(dir);
  };
  const timeoutMs = o.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      const log = tail(logFile);
      removeTempDir(dir);
      throw new Error(`prometheus exited (${child.exitCode}) while starting:\n${log}`);
    }
    if ((await httpStatus(`${url}/-/ready`)) === 200) {
      break;
    }
    if (Date.now() > deadline) {
      const log = tail(logFile);
      await stop();
      throw new Error(`prometheus not ready after ${timeoutMs} ms:\n${log}`);
    }
    await sleep(100);
  }
  return {
    url,
    logFile,
    series: (match) => promApi<Array<Record<string, string>>>(url, 'series', { 'match[]': match }, 'GET'),
    query: async (expr) => (await promApi<{ result: Array<{ metric: Record<string, string> }> }>(url, 'query', { query: expr })).result,
    async waitForScrapes(count, timeoutMs = 20_000) {
      let active: ScrapeTarget[] = [];
      await waitFor(() => `${count} targets up: ${JSON.stringify(active.map((t) => [t.scrapeUrl, t.health, t.lastError]))}`, async () => {
        active = (await promApi<{ activeTargets: ScrapeTarget[] }>(url, 'targets', {}, 'GET')).activeTargets;
        return active.length === count && active.every((t) => t.health === 'up');
      }, timeoutMs, 200);
    },
    stop,
  };
}
