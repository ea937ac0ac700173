// The package.json of the compiled contract (dist/ by default, or the folder given): the same package, its entry
// pointing at the emitted index.js. The image copies that folder where the workspace link points.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const out = process.argv[2] ?? join(here, 'dist');
const { scripts: _scripts, types: _types, ...pkg } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
writeFileSync(join(out, 'package.json'), JSON.stringify({ ...pkg, exports: './index.js', main: './index.js' }, null, 2) + '\n');
