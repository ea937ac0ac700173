// operator/Dockerfile cannot be built here (no Docker engine); what can drift without a build is checked instead:
// its COPY sources exist and are not excluded by .dockerignore, the entrypoint is what tsconfig.build.json emits,
// and everything the image runs (dist from src/, the demo generator) imports only production dependencies.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

const repo = resolve(import.meta.dirname, '../../..');
const operator = join(repo, 'operator');
const dockerfile = readFileSync(join(operator, 'Dockerfile'), 'utf8');
const instructions = dockerfile.split('\n').filter((l) => /^[A-Z]+\s/.test(l));
const prodDeps = Object.keys(JSON.parse(readFileSync(join(operator, 'package.json'), 'utf8')).dependencies ?? {});

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Packages a file loads at run time (type-only imports are erased and do not count). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?\sfrom\s+'([^']+)'/gms)) {
    if (!m[1]) {
      specs.push(m[2]);
    }
  }
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) {
    specs.push(m[1]);
  }
  return specs;
}

const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

describe('operator/Dockerfile', () => {
  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(join(repo, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.replace(/^\*\*\//, ''));
    const sources = instructions
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    assert.ok(sources.includes('package-lock.json') && sources.includes('operator/src'));
    for (const src of sources) {
      assert.ok(existsSync(join(repo, src)), `${src} does not exist`);
      assert.ok(
        !ignored.some((p) => src === p || src.startsWith(p + '/') || src.split('/').includes(p)),
        `${src} is in .dockerignore`
      );
    }
  });

  it('runs what the build emits, as a numeric non-root user, with the default args of the original HexaCTF operator', () => {
    const build = JSON.parse(readFileSync(join(operator, 'tsconfig.build.json'), 'utf8')).compilerOptions;
    assert.deepEqual([build.rootDir, build.outDir], ['src', 'dist']);
    assert.ok(existsSync(join(operator, 'src/main.ts')));
    assert.ok(instructions.includes('ENTRYPOINT ["node", "--max-semi-space-size=4", "operator/dist/main.js"]'));
    assert.ok(instructions.includes('CMD ["--metrics-bind-address=:8080", "--health-probe-bind-address=:8081"]'));
    const user = instructions.filter((l) => l.startsWith('USER ')).at(-1);
    assert.match(user ?? '', /^USER [1-9][0-9]*:[1-9][0-9]*$/);
    assert.match(dockerfile, /FROM \$\{NODE_IMAGE\}\n/);
    assert.match(dockerfile, /ARG NODE_IMAGE=node:24-/);
    assert.match(dockerfile, /npm ci --workspace operator --omit=dev/);
  });

  it('the operator imports nothing at run time outside node: builtins and its production dependencies', () => {
    const bad: string[] = [];
    const seen = new Set<string>();
    for (const file of tsFiles(join(operator, 'src'))) {
      for (const spec of runtimeImports(file)) {
        if (spec.startsWith('.') || spec.startsWith('node:')) {
          continue;
        }
        seen.add(packageOf(spec));
        if (!prodDeps.includes(packageOf(spec))) {
          bad.push(`${relative(operator, file)}: ${spec}`);
        }
      }
    }
    assert.deepEqual(bad, []);
    // The scan does find the operator's real dependencies (so an empty `bad` means something).
    assert.ok(seen.has('@kubernetes/client-node') && seen.has('prom-client'), [...seen].join(', '));
  });

  it('the workspace packages the operator links (the metric contract) are in the image where their links point, compiled', async () => {
    const rootPkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
    const linked = (rootPkg.workspaces as string[])
      .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8')) }))
      .filter(({ pkg }) => prodDeps.includes(pkg.name));
    assert.deepEqual(
      linked.map(({ pkg }) => pkg.name),
      ['@hexactf/contract']
    );
    const { dir, pkg } = linked[0];
    // npm ci links node_modules/<name> to ../<dir> in both stages: the package.json must be there when it runs.
    assert.equal(
      dockerfile.split('\n').filter((l) => l === `COPY ${dir}/package.json ${dir}/`).length,
      2,
      `${dir}/package.json in build and prod-deps`
    );
    // The link must resolve to the workspace's real directory (where the runtime stage puts the compiled copy).
    const link = join(repo, 'node_modules', pkg.name);
    assert.ok(lstatSync(link).isSymbolicLink(), `${link} is a workspace link`);
    assert.equal(realpathSync(link), realpathSync(join(repo, dir)));
    // Dependency-free: the image installs nothing for it.
    assert.deepEqual(runtimeImports(join(repo, dir, pkg.exports)), []);

    // The build stage compiles it with these steps, and the runtime stage takes what they write.
    const compile = 'npm exec --workspace operator -- tsc -p ../contract/tsconfig.build.json';
    const writePackage = 'node contract/write-dist-package.mjs';
    assert.ok(dockerfile.includes(`&& ${compile} \\\n && ${writePackage}\n`), 'the build stage compiles the contract');
    assert.ok(
      instructions.includes(`COPY --from=build /src/${dir}/dist/ ./${dir}/`),
      `the runtime stage copies the compiled ${dir}`
    );
    const build = JSON.parse(readFileSync(join(repo, dir, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
    assert.equal(build.compilerOptions.outDir, 'dist');
    const sources = instructions
      .filter((l) => l.startsWith(`COPY ${dir}/`))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const f of ['index.ts', 'tsconfig.json', 'tsconfig.build.json', 'write-dist-package.mjs']) {
      assert.ok(sources.includes(`${dir}/${f}`), `the build stage copies ${dir}/${f}`);
    }

    // The same steps here, into a temporary folder: the compiled package exports exactly what index.ts does.
    const out = mkdtempSync(join(tmpdir(), 'hexactf-contract-'));
    try {
      execFileSync(
        'npm',
        ['exec', '--workspace', 'operator', '--', 'tsc', '-p', `../${dir}/tsconfig.build.json`, '--outDir', out],
        { cwd: repo, stdio: 'pipe' }
      );
      execFileSync(process.execPath, [join(repo, dir, 'write-dist-package.mjs'), out], { stdio: 'pipe' });
      const compiledPkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
      assert.equal(compiledPkg.name, pkg.name);
      assert.equal(compiledPkg.type, 'module');
      const compiled = await import(pathToFileURL(join(out, compiledPkg.exports)).href);
      const source = await import(pathToFileURL(join(repo, dir, pkg.exports)).href);
      assert.ok(Object.keys(source).length > 10);
      // Values as they are; functions (isStateName) by name and arity, as two loads make two function objects.
      const comparable = (m: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(m).map(([k, v]) => [k, typeof v === 'function' ? `function ${v.name}/${v.length}` : v])
        );
      assert.deepEqual(comparable(compiled), comparable(source));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('the demo generator, run from the image, needs only what the image copies (demo/, src/api/, testing/random.ts, production deps)', () => {
    assert.match(dockerfile, /COPY operator\/demo \.\/operator\/demo/);
    assert.match(dockerfile, /COPY operator\/src\/api \.\/operator\/src\/api/);
    assert.match(dockerfile, /COPY testing\/package\.json testing\/random\.ts \.\/testing\//);
    for (const file of [...tsFiles(join(operator, 'demo')), ...tsFiles(join(operator, 'src/api'))]) {
      for (const spec of runtimeImports(file)) {
        if (spec.startsWith('node:')) {
          continue;
        }
        if (spec.startsWith('.')) {
          const target = relative(operator, resolve(join(file, '..'), spec));
          assert.ok(
            target.startsWith('demo/') || target.startsWith('src/api/') || target === '../testing/random.ts',
            `${relative(operator, file)} imports ${spec}`
          );
        } else {
          assert.ok(
            prodDeps.includes(packageOf(spec)),
            `${relative(operator, file)} imports ${spec}, not a production dependency`
          );
        }
      }
    }
  });
});
