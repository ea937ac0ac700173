// The Prometheus versions every PromQL proof runs on: Debian's 2.x package (prometheus and promtool on PATH, see
// tools.ts) and Prometheus 3, which scripts/install-test-tools.sh builds from its Go module into
// $HEXACTF_BIN/prometheus-3. The answers must not depend on the version.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { binDir, promtoolPath, runPromtool, toolPath, type ToolRun } from '@hexactf/testing/tools';

export interface PrometheusBuild {
  /** Short name for test titles: "2.x (Debian)", "3.x". */
  name: string;
  /** The major version the binaries report. */
  major: 2 | 3;
  prometheus: string;
  promtool: string;
}

const prometheus3 = (name: string) => join(binDir(), 'prometheus-3', name);

export const PROMETHEUS_BUILDS: readonly PrometheusBuild[] = [
  { name: '2.x (Debian)', major: 2, prometheus: toolPath('prometheus'), promtool: promtoolPath() },
  { name: '3.x', major: 3, prometheus: prometheus3('prometheus'), promtool: prometheus3('promtool') },
];

function requireBinary(binary: string): string {
  if (binary.includes('/') && !existsSync(binary)) {
    // A proof that cannot run must fail, never pass by skipping.
    throw new Error(`${binary} is missing: run \`bash scripts/install-test-tools.sh\` at the repository root (it builds ` +
      'Prometheus 3 from its Go module)');
  }
  return binary;
}

/** The first line of `<binary> --version` (older builds print it on stderr). */
export function versionOf(binary: string): string {
  const { status, output } = runPromtool(['--version'], undefined, requireBinary(binary));
  if (status !== 0) {
    throw new Error(`${binary} --version failed: ${output}`);
  }
  return output.trim().split('\n')[0];
}

/** runPromtool with the promtool of one build (a clear error when that build is not installed). */
export function runPromtoolOf(build: PrometheusBuild, args: string[], input?: string): ToolRun {
  return runPromtool(args, input, requireBinary(build.promtool));
}

/**
 * runPromtool with the promtool of every build: the status is the first non-zero one (0 when all pass), the output
 * has each build's, under a line naming it.
 */
export function runPromtoolOnEveryBuild(args: string[], input?: string): ToolRun {
  let status: number | null = 0;
  let output = '';
  for (const build of PROMETHEUS_BUILDS) {
    const run = runPromtoolOf(build, args, input);
    if (status === 0) {
      status = run.status;
    }
    output += `--- promtool of Prometheus ${build.name}\n${run.output}`;
  }
  return { status, output };
}
