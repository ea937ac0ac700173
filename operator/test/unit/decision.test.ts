// The state table as a pure function: every row reached from plain facts, no apiserver. The cases are grouped by the
// stage of a Challenge's life (decision-ending.ts, decision-starting.ts, decision-running.ts) and all run here, in
// one file, so that the check below sees every row they reached.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { STATE_TABLE } from '../../src/controller/state-table.ts';
import { seen } from './decision-decide.ts';
import { endingCases } from './decision-ending.ts';
import { runningCases } from './decision-running.ts';
import { startingCases } from './decision-starting.ts';

endingCases();
startingCases();
runningCases();

after(() => {
  const unreached = STATE_TABLE.map((r) => r.id).filter((id) => !seen.has(id));
  assert.deepEqual(unreached, [], 'every row of the state table is decided by some test');
});
