// Child processes and temp directories that never outlive the test or bench that made them: whatever this module
// starts is killed, and whatever it creates removed, however the process ends (short of SIGKILL, which no process
// can intercept).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
let hooked = false;

function cleanUpNow(): void {
  for (const child of children) {
    child.kill('SIGKILL');
  }
  for (const dir of dirs) {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hookExit(): void {
  if (hooked) {
    return;
  }
  hooked = true;
  process.on('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanUpNow();
      process.kill(process.pid, signal); // the default action again, now that this one-time listener is gone
    });
  }
}

/** A fresh directory under the OS temp dir, removed at exit unless removeTempDir() did it first. */
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

/** Spawns command with its stdout and stderr appended to logFile; it is killed when this process exits. */
export function spawnLogged(command: string, args: string[], logFile: string): ChildProcess {
  hookExit();
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
