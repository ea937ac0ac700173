// The README's copy of STATE_TABLE, rendered from the rows themselves so the two cannot drift
// (scripts/state-table.ts writes it; test/unit/state-table.test.ts fails when the README is stale).
import { STATE_TABLE } from './state-table.ts';

export const BEGIN =
  '<!-- state-table: generated from src/controller/state-table.ts by `npm run docs:state-table -w operator` -->';
export const END = '<!-- /state-table -->';

const cell = (s: string) => s.replace(/\|/g, '\\|');

function renderStateTable(): string {
  const lines = [
    '| row | state | when | becomes | then |',
    '|---|---|---|---|---|',
    ...STATE_TABLE.map(
      (r) => `| \`${r.id}\` | ${cell(r.state)} | ${cell(r.when)} | ${cell(r.becomes)} | ${cell(r.then)} |`
    ),
  ];
  return lines.join('\n');
}

/** The README text with the generated section replaced; throws when the markers are missing. */
export function withStateTable(readme: string): string {
  const i = readme.indexOf(BEGIN);
  const j = readme.indexOf(END);
  if (i < 0 || j < i) {
    throw new Error(`README has no state table section (${BEGIN} ... ${END})`);
  }
  return `${readme.slice(0, i + BEGIN.length)}\n${renderStateTable()}\n${readme.slice(j)}`;
}
