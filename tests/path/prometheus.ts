// A real Prometheus (Debian's `prometheus` on PATH or another build, see src/test/prometheus-builds.ts) on 127.0.0.1 with a
// temp config and data directory, for the path test and the query benchmark. Runs natively under Node 24.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PrometheusOptions {
  /** prometheus.yml contents. */
  config: string;
  /** The prometheus binary: default Debian's on PATH (src/test/prometheus-builds.ts lists the builds). */
  binary?: string;
  /** An existing TSDB directory (e.g. backfilled blocks); default: a fresh temp one. */
  dataDir?: string;
  extraArgs?: string[];
  startTimeoutMs?: number;
}

export interface Prometheus {
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
let hooked = false;

/** Kills what this module started and removes its temp dirs however the process ends (short of SIGKILL). */
function hookExit(): void {
  if (hooked) {
    return;
  }
  hooked = true;
  const cleanUp = () => {
    for (const c of children) {
      c.kill('SIGKILL');
    }
    for (const d of dirs) {
      rmSync(d, { recursive: true, force: true });
    }
  };
  process.on('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanUp();
      process.kill(process.pid, signal); // the default action again, now that this one-time listener is gone
    });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

export function tempDir(prefix: string): string {
  hookExit();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** Spawns a child whose output goes to logFile; it is killed with this process. */
export function spawnLogged(command: string, args: string[], logFile: string): ChildProcess {
  hookExit();
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, SIGKILL after graceMs; resolves once the child exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function startPrometheus(o: PrometheusOptions): Promise<Prometheus> {
  const dir = tempDir('hexactf-prom-');
  const port = await freePort();
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, o.config);
  const logFile = join(dir, 'prometheus.log');
  const child = spawnLogged(o.binary ?? 'prometheus', [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${o.dataDir ?? join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=30d',
    ...(o.extraArgs ?? []),
  ], logFile);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    removeTempDir(dir);
  };
  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      const log = tail(logFile);
      removeTempDir(dir);
      throw new Error(`prometheus exited (${child.exitCode}) while starting:\n${log}`);
    }
    const ok = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ok) {
      return { url, logFile, stop };
    }
    if (Date.now() > deadline) {
      const log = tail(logFile);
      await stop();
      throw new Error(`prometheus not ready after ${o.startTimeoutMs ?? 60_000} ms:\n${log}`);
    }
    await sleep(200);
  }
}

export interface PromResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

/** GET /api/v1/query or /api/v1/query_range; throws on a non-success answer. */
export async function promQuery(url: string, path: 'query' | 'query_range', params: Record<string, string>): Promise<PromResult> {
  const res = await fetch(`${url}/api/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(120_000),
  });
  const body = (await res.json()) as { status: string; data: PromResult; error?: string };
  if (body.status !== 'success') {
    throw new Error(`${path} ${params.query}: ${body.error ?? res.status}`);
  }
  return body.data;
}
