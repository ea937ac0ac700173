// The compiled operator as the image runs it, for the benchmarks that measure its process (RSS, CPU). The image's
// metric contract is compiled too (operator/Dockerfile's build stage): the workspace link points at
// contract/index.ts, which would load Node's type stripper into the operator (about 16 MiB of RSS), so the same
// build steps write it where dist/'s imports find it before the link.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const OPERATOR_DIR = resolve(import.meta.dirname, '..');
const CONTRACT_DIR = resolve(OPERATOR_DIR, '../contract');
const COMPILED_CONTRACT = resolve(OPERATOR_DIR, 'dist/node_modules/@hexactf/contract');
/** The entry point the image's ENTRYPOINT runs. */
export const OPERATOR_MAIN = resolve(OPERATOR_DIR, 'dist/main.js');

/** Builds the operator and its contract as operator/Dockerfile does, and checks the operator loads that contract. */
export function buildCompiledOperator(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  for (const [what, args] of [
    ['the operator', [tsc, '-p', resolve(OPERATOR_DIR, 'tsconfig.build.json')]],
    ['the contract', [tsc, '-p', resolve(CONTRACT_DIR, 'tsconfig.build.json'), '--outDir', COMPILED_CONTRACT]],
    ['the contract', [resolve(CONTRACT_DIR, 'write-dist-package.mjs'), COMPILED_CONTRACT]],
  ] as const) {
    if (spawnSync(process.execPath, args, { stdio: 'inherit' }).status !== 0) {
      throw new Error(`building ${what} failed`);
    }
  }
  const contractEntry = createRequire(OPERATOR_MAIN).resolve('@hexactf/contract');
  if (contractEntry !== resolve(COMPILED_CONTRACT, 'index.js')) {
    throw new Error(`the compiled operator would load the contract from ${contractEntry}`);
  }
}

/** The compiled operator's command line against a test apiserver: one namespace, /metrics on 127.0.0.1, no probes. */
export function compiledOperatorArgs(nodeFlags: readonly string[], kubeconfigPath: string, ns: string, port: number) {
  return [
    ...nodeFlags,
    OPERATOR_MAIN, // as the image's ENTRYPOINT runs it
    '--kubeconfig',
    kubeconfigPath,
    '--namespace',
    ns,
    `--metrics-bind-address=127.0.0.1:${port}`,
    '--health-probe-bind-address=0',
    '--challenge-ttl=0',
    '--log-level=warn',
  ];
}
