// VictoriaMetrics single-node ($HEXACTF_BIN/victoria-metrics, built by scripts/install-test-tools.sh) on 127.0.0.1,
// with samples imported from OpenMetrics text: the engine behind Grafana's Prometheus datasource that some
// organizers keep their long-term history in. It answers Prometheus' query API.
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@hexactf/testing/ports';
import { removeTempDir, spawnLogged, stopChild, tail, tempDir } from '@hexactf/testing/processes';
import { httpStatus } from '@hexactf/testing/prom-api';
import { requiredTool } from '@hexactf/testing/tools';

export interface VictoriaMetrics {
  url: string;
  logFile: string;
  /** Imports OpenMetrics / Prometheus text whose sample timestamps are in seconds (as promtool backfills them). */
  importOpenMetrics(text: string): Promise<void>;
  stop(): Promise<void>;
}

/** `name{labels} value seconds` lines with the timestamp in milliseconds, as VictoriaMetrics' text import reads it. */
export function toMillisecondTimestamps(openMetrics: string): string {
  return openMetrics
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const cut = line.lastIndexOf(' ');
      return `${line.slice(0, cut)} ${Math.round(Number(line.slice(cut + 1)) * 1000)}`;
    })
    .join('\n');
}

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `staleAfter`: how long a series without a new sample still has its last value (-search.minStalenessInterval).
 * VictoriaMetrics derives it from the series' own sample interval (about two of them); Prometheus holds a value for
 * its lookback (5 m) unless a staleness marker ends it, and backfilled history has none.
 */
export async function startVictoriaMetrics(o: { staleAfter?: string } = {}): Promise<VictoriaMetrics> {
  const dir = tempDir('hexactf-vm-');
  const port = await freePort();
  const logFile = join(dir, 'victoria-metrics.log');
  const child = spawnLogged(
    requiredTool('victoria-metrics'),
    [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${join(dir, 'data')}`,
      '-retentionPeriod=100y',
      // Imported history is complete: answer from it at once, and never from a cache of an earlier answer.
      '-search.latencyOffset=0s',
      '-search.disableCache',
      ...(o.staleAfter ? [`-search.minStalenessInterval=${o.staleAfter}`] : []),
    ],
    logFile
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    removeTempDir(dir);
  };
  const deadline = Date.now() + 30_000;
  while ((await httpStatus(`${url}/health`)) !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = tail(logFile);
      await stop();
      throw new Error(`victoria-metrics did not start:\n${log}`);
    }
    await sleep(100);
  }
  return {
    url,
    logFile,
    async importOpenMetrics(text) {
      const status = await post(`${url}/api/v1/import/prometheus`, toMillisecondTimestamps(text));
      if (status !== 204) {
        throw new Error(`victoria-metrics refused the import: HTTP ${status}\n${tail(logFile)}`);
      }
      // Imported rows become searchable after the in-memory buffers are flushed.
      const flushed = await post(`${url}/internal/force_flush`, '');
      if (flushed !== 200) {
        throw new Error(`victoria-metrics force_flush: HTTP ${flushed}`);
      }
    },
    stop,
  };
}
