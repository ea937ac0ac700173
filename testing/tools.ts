// Where the external tools the tests run are found. scripts/install-test-tools.sh builds the Go ones
// (kube-apiserver, etcd, helm, Prometheus 3 under prometheus-3/) into $HEXACTF_BIN (default ~/.cache/hexactf/bin)
// and installs the Debian ones (prometheus, promtool) on PATH.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const INSTALL_HINT = 'run `bash scripts/install-test-tools.sh` at the repository root';

export function binDir(): string {
  // The same defaults as scripts/install-test-tools.sh: $HEXACTF_BIN, else $HEXACTF_CACHE/bin, else ~/.cache/hexactf/bin.
  return process.env.HEXACTF_BIN ?? join(process.env.HEXACTF_CACHE ?? join(homedir(), '.cache/hexactf'), 'bin');
}

/** The tool in binDir() when it is there, else its bare name for PATH. */
export function toolPath(name: string): string {
  const path = join(binDir(), name);
  return existsSync(path) ? path : name;
}

/** A tool that only install-test-tools.sh provides: its path in binDir(), or an error that says how to get it. */
export function requiredTool(name: string): string {
  const path = join(binDir(), name);
  if (!existsSync(path)) {
    throw new Error(`${name} not found at ${path}: ${INSTALL_HINT} (it builds kube-apiserver, etcd and helm into ` +
      '$HEXACTF_BIN, default ~/.cache/hexactf/bin)');
  }
  return path;
}

/** promtool; PROMTOOL=/path/to/promtool runs another build (e.g. a newer Prometheus release) instead. */
export function promtoolPath(): string {
  return process.env.PROMTOOL || toolPath('promtool');
}

export interface ToolRun {
  status: number | null;
  /** stdout and stderr, in that order. */
  output: string;
}

/**
 * Runs promtool with args (and input on stdin); throws only when promtool cannot be started at all. `promtool`: another
 * build's binary (prometheus-builds.ts lists them).
 */
export function runPromtool(args: string[], input?: string, promtool = promtoolPath()): ToolRun {
  const run = spawnSync(promtool, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) {
    throw new Error(`promtool could not be run (${run.error.message}): ${INSTALL_HINT} (Debian package "prometheus")`);
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
