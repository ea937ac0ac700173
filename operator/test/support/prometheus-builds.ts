// The Prometheus builds the promtool proofs run on: Debian's 2.x package (prometheus and promtool on PATH) and
// Prometheus 3 built from its Go module by scripts/install-test-tools.sh into $HEXACTF_BIN/prometheus-3.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface PrometheusBuild {
  /** Short name for test titles. */
  name: string;
  /** The major version its --version must report. */
  major: 2 | 3;
  prometheus: string;
  promtool: string;
}

const binDir = process.env.HEXACTF_BIN ?? join(process.env.HEXACTF_CACHE ?? join(homedir(), '.cache/hexactf'), 'bin');

export const PROMETHEUS_BUILDS: readonly PrometheusBuild[] = [
  { name: '2.x (Debian)', major: 2, prometheus: 'prometheus', promtool: 'promtool' },
  { name: '3.x', major: 3, prometheus: join(binDir, 'prometheus-3/prometheus'), promtool: join(binDir, 'prometheus-3/promtool') },
];

/**
 * `<binary> --version`'s first line. Throws with what to install when the binary is missing: a proof that cannot
 * run must fail, never pass by skipping.
 */
export function versionOf(binary: string): string {
  if (binary.includes('/') && !existsSync(binary)) {
    throw new Error(`${binary} is missing: scripts/install-test-tools.sh builds it (Prometheus 3 from its Go module)`);
  }
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    throw new Error(`${binary} --version failed (${run.error?.message ?? run.stderr}): scripts/install-test-tools.sh installs it`);
  }
  return `${run.stdout}${run.stderr}`.trim().split('\n')[0]; // older builds print it on stderr
}
