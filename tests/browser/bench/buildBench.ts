/**
 * Bundles bareTable.tsx as an AMD module (define([...shared], factory)) into the host's build directory, for the
 * host's loader: the shared modules stay external, as in the plugin's module.js.
 */
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const SHARED = [
  'react',
  'react/jsx-runtime',
  '@grafana/data',
  '@grafana/runtime',
  '@grafana/ui',
  '@grafana/ui/unstable',
];
export const BARE_TABLE_MODULE = 'bench-bare-table.js';

export async function buildBench(outDir: string): Promise<void> {
  const out = await build({
    entryPoints: [join(HERE, 'bareTable.tsx')],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    external: SHARED,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const deps = JSON.stringify(SHARED);
  const params = SHARED.map((_, i) => `m${i}`).join(', ');
  const table = SHARED.map((name, i) => `${JSON.stringify(name)}: m${i}`).join(', ');
  writeFileSync(
    join(outDir, BARE_TABLE_MODULE),
    `define(${deps}, function (${params}) {\n` +
      `var shared = {${table}};\n` +
      `var require = function (n) { if (n in shared) return shared[n]; throw new Error('not shared: ' + n); };\n` +
      `var module = { exports: {} }; var exports = module.exports;\n${out.outputFiles[0].text}\nreturn module.exports;\n});\n`
  );
}
