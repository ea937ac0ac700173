// Prometheus' own parsers for the exposition tests: promtool (of Prometheus 2.x and 3.x) and a
// real Prometheus server on 127.0.0.1 scraping static targets every 500 ms.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROMETHEUS_BUILDS } from '../support/prometheus-builds.ts';
import { freePort } from '../support/test-env.ts';

function tool(name: string): string {
  const p = join(process.env.HEXACTF_BIN ?? join(homedir(), '.cache/hexactf/bin'), name);
  return existsSync(p) ? p : name;
}

/**
 * `promtool check metrics` on the text, by the promtool of every Prometheus version: the exit status (the first
 * non-zero one) and everything each said.
 */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  let status: number | null = 0;
  let output = '';
  for (const build of PROMETHEUS_BUILDS) {
    const r = spawnSync(build.promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (r.error) throw r.error;
    if (status === 0) status = r.status;
    output += `${r.stdout}${r.stderr}`;
  }
  return { status, output };
}

export interface PrometheusServer {
  url: string;
  /** Series of `match` as Prometheus stored them (label name -> value). */
  series(match: string): Promise<Array<Record<string, string>>>;
  /** Waits until every target has been scraped successfully at least once. */
  waitForScrapes(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrometheus(targets: Record<string, string>): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hexactf-prom-'));
  const scrapeConfigs = Object.entries(targets).map(([job, url]) => {
    const u = new URL(url);
    return { job_name: job, scrape_interval: '500ms', scrape_timeout: '400ms', metrics_path: u.pathname, static_configs: [{ targets: [u.host] }] };
  });
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify({ global: { scrape_interval: '500ms' }, scrape_configs: scrapeConfigs }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const proc: ChildProcess = spawn(tool('prometheus'), [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr!.on('data', (b) => (log += b));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: any; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
    return body.data;
  };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch { /* not listening yet */ }
    if (i > 150 || proc.exitCode !== null) {
      await stop();
      throw new Error(`prometheus did not become ready:\n${log.slice(-2000)}`);
    }
    await sleep(100);
  }
  return {
    url,
    series: (match) => get(`/api/v1/series?match[]=${encodeURIComponent(match)}`),
    async waitForScrapes(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const data = await get('/api/v1/targets');
        const active = data.activeTargets as Array<{ health: string; lastError: string; scrapeUrl: string }>;
        if (active.length === scrapeConfigs.length && active.every((t) => t.health === 'up')) return;
        if (Date.now() > deadline) throw new Error(`targets not all up: ${JSON.stringify(active.map((t) => [t.scrapeUrl, t.health, t.lastError]))}`);
        await sleep(200);
      }
    },
    stop,
  };
}
