// Rewrites the state table in operator/README.md from STATE_TABLE (src/controller/state-table.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { withStateTable } from '../src/controller/state-table-doc.ts';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withStateTable(before);
if (after !== before) {
  writeFileSync(path, after);
}
console.log(after === before ? 'README state table is up to date' : 'README state table rewritten');
