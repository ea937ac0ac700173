/** The plugin as `npm run build` makes it: reused when dist/module.js is newer than every file under src/. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function ensurePluginBuilt(repo: string): string {
  const dist = join(repo, 'dist');
  const module = join(dist, 'module.js');
  if (!existsSync(module) || statSync(module).mtimeMs < newestMtime(join(repo, 'src'))) {
    execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return dist;
}
