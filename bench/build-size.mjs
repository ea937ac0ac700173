// Sizes of the production build in dist/ (run `npm run build` first, or `npm run build:size`): module.js, which
// Grafana loads for every page, and all JavaScript the app can load (module.js plus its lazy chunks), raw and gzip.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist', import.meta.url).pathname;

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? jsFiles(path) : entry.name.endsWith('.js') ? [path] : [];
  });
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const raw = (file) => statSync(file).size;
const gzip = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const sum = (files, size) => files.reduce((total, file) => total + size(file), 0);

const files = jsFiles(dist);
const moduleJs = join(dist, 'module.js');
console.log(`module.js       ${kib(raw(moduleJs))} (gzip ${kib(gzip(moduleJs))})`);
console.log(`all JS          ${kib(sum(files, raw))} (gzip ${kib(sum(files, gzip))}) in ${files.length} files`);
const largest = [...files].sort((a, b) => raw(b) - raw(a)).slice(0, 3);
console.log(`largest chunks  ${largest.map((f) => `${relative(dist, f)} ${kib(raw(f))}`).join(', ')}`);
