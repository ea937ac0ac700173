/** Bundles the host page (host/main.tsx and the @grafana packages it shares) with esbuild into `outDir`. */
import { build, type Plugin } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '../..');
const RUNTIME_ESM = join(REPO, 'node_modules/@grafana/runtime/dist/esm');

/**
 * @grafana/scenes (the host's copy, for the template service) imports @grafana/plugin-compat, which imports runtime
 * APIs that newer Grafana versions add and checks at run time whether they exist; webpack (Grafana's bundler)
 * makes a missing export undefined, esbuild refuses it. This gives plugin-compat a view of the runtime in which
 * those names are present and undefined, as under webpack.
 */
const COMPAT_OPTIONAL_EXPORTS = [
  'getDataSourceInstance',
  'getDataSourceInstanceList',
  'getDataSourceInstanceSettings',
  'getDefaultDataSourceInstanceListItem',
  'registerRuntimeDataSourceInstance',
  'useDataSourceInstance',
  'useDefaultDataSourceInstanceListItem',
];
const runtimeForPluginCompat: Plugin = {
  name: 'runtime-for-plugin-compat',
  setup(b) {
    b.onResolve({ filter: /^@grafana\/runtime(\/unstable)?$/ }, (args) =>
      args.importer.includes('/@grafana/plugin-compat/')
        ? { path: args.path, namespace: 'runtime-for-plugin-compat' }
        : undefined
    );
    b.onLoad({ filter: /.*/, namespace: 'runtime-for-plugin-compat' }, (args) => ({
      resolveDir: REPO,
      contents: [
        `import * as runtime from '${args.path}';`,
        `export * from '${args.path}';`,
        ...COMPAT_OPTIONAL_EXPORTS.map((name) => `export const ${name} = runtime['${name}'];`),
      ].join('\n'),
    }));
  },
};

export async function buildHost(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { host: join(HERE, 'host/main.tsx') },
    outdir: outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    sourcemap: false,
    minify: false,
    logLevel: 'error',
    plugins: [runtimeForPluginCompat],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file', '.png': 'file' },
    alias: {
      // Grafana's boot reaches these through @grafana/runtime/internal, which the package does not publish.
      'grafana-runtime-internal/PluginPage': join(RUNTIME_ESM, 'components/PluginPage.mjs'),
      'grafana-runtime-internal/dataSourceSettings': join(RUNTIME_ESM, 'services/dataSource/settings.mjs'),
      'grafana-runtime-internal/dataSourceInstance': join(RUNTIME_ESM, 'services/dataSource/dataSource.mjs'),
    },
  });
  copyFileSync(join(HERE, 'host/index.html'), join(outDir, 'index.html'));
}
