// The README's state table is the code's: regenerate it with `npm run docs:state-table -w operator`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { STATE_TABLE } from '../../src/controller/state-table.ts';
import { BEGIN, END, withStateTable } from '../../src/controller/state-table-doc.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('operator/README.md shows STATE_TABLE as it is (npm run docs:state-table -w operator)', () => {
  assert.equal(readme, withStateTable(readme));
});

test('the README section lists every row id once, in decision order', () => {
  const section = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END));
  const ids = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(
    ids,
    STATE_TABLE.map((r) => r.id)
  );
});
