/**
 * Debian's Prometheus on a generated event (tests/scale/openmetrics.ts, plus the operator's lifecycle and controller
 * families of tests/scale/lifecycleFamilies.ts), backfilled with `promtool tsdb create-blocks-from openmetrics`. The
 * benchmark and the catalog screenshots run the host on it instead of the e2e fixture.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { removeTempDir, tempDir } from '@hexactf/testing/processes';
import { promApi } from '@hexactf/testing/prom-api';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';
import { promtoolPath } from '@hexactf/testing/tools';
import { writeLifecycleFamilies } from '../scale/lifecycleFamilies.ts';
import { writeHistory, type HistoryOptions } from '../scale/openmetrics.ts';

export interface EventPrometheus extends Prometheus {
  /** Series in the TSDB over the whole history, every family. */
  seriesCount: number;
  statusSeries: number;
  /** Its TSDB directory and a scratch directory beside it (@hexactf/testing/dashboard-rules adds blocks). */
  dataDir: string;
  scratchDir: string;
  /** Seconds: writing the OpenMetrics text, backfilling it. */
  generateS: number;
  backfillS: number;
}

export async function startEventPrometheus(o: Omit<HistoryOptions, 'extraFamilies'>): Promise<EventPrometheus> {
  const dir = tempDir('hexactf-event-tsdb-');
  let prometheus: Prometheus | undefined;
  try {
    const file = join(dir, 'event.om');
    let t = performance.now();
    await writeHistory(file, { ...o, extraFamilies: writeLifecycleFamilies });
    const generateS = (performance.now() - t) / 1000;
    t = performance.now();
    const data = join(dir, 'data');
    execFileSync(promtoolPath(), ['tsdb', 'create-blocks-from', 'openmetrics', '-q', file, data], { stdio: 'pipe' });
    const backfillS = (performance.now() - t) / 1000;
    rmSync(file);
    const started = await startPrometheus({
      config: 'global:\n  evaluation_interval: 1m\nscrape_configs: []\n',
      dataDir: data,
      retention: '100y',
    });
    prometheus = started;
    const range = { start: String(o.endS - o.spanS), end: String(o.endS) };
    const count = async (match: string) =>
      (await promApi<unknown[]>(started.url, 'series', { 'match[]': match, ...range })).length;
    return {
      ...started,
      dataDir: data,
      scratchDir: dir,
      seriesCount: await count('{__name__=~".+"}'),
      statusSeries: await count('challenge_resource_status'),
      generateS,
      backfillS,
      stop: async () => {
        await started.stop();
        removeTempDir(dir);
      },
    };
  } catch (error) {
    await prometheus?.stop();
    removeTempDir(dir);
    throw error;
  }
}
