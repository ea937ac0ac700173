// One control-plane server (etcd or kube-apiserver) as a child process of the tests, with its readiness check.
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnLogged, stopChild, tail } from '@hexactf/testing/processes';

/** One server process: output appended to a log file, restartable with the same arguments. */
export class Server {
  private child: ChildProcess | undefined;
  private readonly name: string;
  private readonly command: string;
  private readonly args: string[];
  readonly logFile: string;

  constructor(name: string, command: string, args: string[], logFile: string) {
    this.name = name;
    this.command = command;
    this.args = args;
    this.logFile = logFile;
  }

  /** Spawns the process and resolves once ready() does; on failure kills it and throws with the log's tail. */
  async start(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    if (this.child) {
      throw new Error(`${this.name} is already running`);
    }
    const child = spawnLogged(this.command, this.args, this.logFile);
    this.child = child;
    let exitCode: string | undefined;
    child.once('exit', (code, signal) => (exitCode = signal ?? String(code)));
    child.once('error', (err) => (exitCode = err.message));
    const deadline = Date.now() + timeoutMs;
    while (true) {
      if (exitCode !== undefined) {
        this.child = undefined;
        throw new Error(
          `${this.name} exited (${exitCode}) while starting; log ${this.logFile}:\n${tail(this.logFile, 40)}`
        );
      }
      if (await ready().catch(() => false)) {
        return;
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `${this.name} not ready after ${timeoutMs} ms; log ${this.logFile}:\n${tail(this.logFile, 40)}`
        );
      }
      await sleep(200); // the poll interval of this readiness check (it has its own deadline and error)
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) {
      return;
    }
    this.child = undefined;
    await stopChild(child);
  }
}

/** GET over https without certificate checks (readiness only; the kubeconfig pins the server's CA). */
export function httpsStatus(url: string, token: string): Promise<number> {
  return new Promise((res, rej) => {
    const req = request(
      url,
      { rejectUnauthorized: false, headers: { authorization: `Bearer ${token}` }, timeout: 2000 },
      (r) => {
        r.resume();
        res(r.statusCode ?? 0);
      }
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
    req.end();
  });
}

export async function etcdHealthy(url: string): Promise<boolean> {
  const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
  return r.ok && ((await r.json()) as { health?: string }).health === 'true';
}
