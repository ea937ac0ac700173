import { defineConfig } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import baseConfig from './.config/eslint.config.mjs';

export default defineConfig([
  {
    ignores: [
      '.cache/',
      '**/logs',
      '**/*.log',
      '**/npm-debug.log*',
      '**/yarn-debug.log*',
      '**/yarn-error.log*',
      '**/.pnpm-debug.log*',
      '**/node_modules/',
      '.yarn/cache',
      '.yarn/unplugged',
      '.yarn/build-state.yml',
      '.yarn/install-state.gz',
      '**/.pnp.*',
      '**/pids',
      '**/*.pid',
      '**/*.seed',
      '**/*.pid.lock',
      '**/lib-cov',
      '**/coverage',
      '**/dist/',
      '**/artifacts/',
      '**/work/',
      '**/ci/',
      'test-results/',
      'playwright-report/',
      'blob-report/',
      'playwright/.cache/',
      'playwright/.auth/',
      '**/.idea',
      '**/.eslintcache',
      // The browser test's bundled host page and its screenshots (generated).
      'tests/browser/.build/',
      'tests/browser/screenshots/',
    ],
  },
  ...baseConfig,
  {
    // The layers run one way (contract at the bottom, operator and app above it, test support above both): no
    // module may reach itself again through its imports.
    files: ['**/*.{ts,tsx,mts,mjs}'],
    ignores: ['**/*.d.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.json'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.mts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // The app reads the metric contract through one module, src/metric/contract.ts, which adds what Grafana needs.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/metric/contract.ts', 'src/metric/contract.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@hexactf/contract', message: 'Import the contract through src/metric/contract.ts.' }] },
      ],
    },
  },
  {
    // The browser test and its host page (tests/browser/README.md); typed against tsconfig.tools.json.
    files: ['tests/browser/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { project: './tsconfig.tools.json' } },
    rules: { '@typescript-eslint/no-deprecated': 'warn' },
  },
  // The operator workspace gets the same rules; naming its .ts files is what makes ESLint lint them.
  { files: ['operator/**/*.ts'] },
  {
    // An ES import of these builtins builds their whole namespace, which runs their lazy getters: node:http's loads
    // undici, node:crypto's WebCrypto, node:fs's the promises API (about 6 MiB of the operator's idle RSS together;
    // operator/docs/memory.md). The operator takes them with process.getBuiltinModule; type imports are erased.
    files: ['operator/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['http', 'crypto', 'fs', 'net', 'util'].flatMap((m) =>
            [m, `node:${m}`].map((name) => ({
              name,
              allowTypeImports: true,
              message: `Take ${name} with process.getBuiltinModule('node:${m}') (operator/docs/memory.md).`,
            }))
          ),
        },
      ],
    },
  },
]);
