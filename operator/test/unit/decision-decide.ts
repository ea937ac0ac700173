// Deciding from plain facts, for the decision tests (decision-*.ts): facts with the fixtures' defaults, a decision
// that must not be a request for more facts, and the state-table rows those decisions reached.
import assert from 'node:assert/strict';
import type { Challenge } from '../../src/api/types.ts';
import { decide } from '../../src/controller/decision.ts';
import type { Decision, Facts } from '../../src/controller/facts.ts';
import { getCondition } from '../../src/controller/status.ts';
import { OPTIONS, T0, definition } from './decision-fixtures.ts';

/** The rows of the state table some decision reached (decision.test.ts checks that all were). */
export const seen = new Set<string>();
export function facts(f: Partial<Facts> & { challenge: Challenge }): Facts {
  return { definition: definition(), now: T0, options: OPTIONS, ...f };
}
export function decided(f: Facts): Decision {
  const d = decide(f);
  assert.ok(!('need' in d), `expected a decision, got need ${'need' in d ? d.need : ''}`);
  seen.add(d.row);
  return d;
}
export const ready = (d: Decision) => getCondition(d.status, 'Ready');
