/**
 * @jest-environment node
 */
/* The Overview page's queries on the shared promtool series (promtool.series.fixture.ts). */
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';
import { ChallengeState } from '../metric/contract';
import { DEFAULT_SETTINGS } from '../settings/settings';
import type { QuerySettings } from './common';
import {
  STATE_CODE_LABEL,
  challengeStateCountQuery,
  challengeStateCountsQuery,
  stateCountOverTimeQuery,
  stateCountQuery,
} from './overview';
import { caseHelpers, describeCases, promtoolFile, promtoolTestRules, substitute, type Case } from './promtool.fixture';
import { EVAL, ODD_CHALLENGE, ODD_USER } from './promtool.series.fixture';

const { Pending, Running, Deleted, Error: ErrorState } = ChallengeState;

function cases(s: QuerySettings): Case[] {
  const { f, byId, none } = caseHelpers(s);
  const byState = (id: string, state: number) => ({ ...byId(id), [STATE_CODE_LABEL]: String(state) });
  return [
    // State per instance at T (docs/dashboard-semantics.md): reported now, alice, erin (one instance over two
    // targets), odd, a.c, mia, nora (newest: Running, not her old target's Error) 1; judy, ken, leo 2; bob, abc 3;
    // Deleted within the window, carol 2. Gone without a Deleted: dave (the HexaCTF write-up's query said Running), grace (Pending).
    // frank (last 1770 s) and alice's pwn-1 (1530 s) are outside the window anyway.
    { expr: stateCountQuery(s, Pending), exp: [[none, 0]] },
    { expr: stateCountQuery(s, Running), exp: [[none, 6]] },
    { expr: stateCountQuery(s, Deleted), exp: [[none, 4]] },
    { expr: stateCountQuery(s, ErrorState), exp: [[none, 2]] },
    // Filters: namespace ctf-2 has a.c (Running) and abc (Error); no Pending there gives 0, not nothing.
    { expr: stateCountQuery(s, Pending, f({ namespace: ['ctf-2'] })), exp: [[none, 0]] },
    { expr: stateCountQuery(s, Running, f({ namespace: ['ctf-2'] })), exp: [[none, 1]] },
    { expr: stateCountQuery(s, ErrorState, f({ namespace: ['ctf-2'] })), exp: [[none, 1]] },
    // `a.c` must not match `abc` (Error), neither alone nor in a list with the odd name.
    { expr: stateCountQuery(s, ErrorState, f({ username: ['a.c'] })), exp: [[none, 0]] },
    { expr: stateCountQuery(s, Running, f({ username: ['a.c', ODD_USER] })), exp: [[none, 2]] },
    { expr: stateCountQuery(s, ErrorState, f({ username: ['a.c', ODD_USER] })), exp: [[none, 0]] },
    { expr: stateCountQuery(s, Running, f({ username: [ODD_USER] })), exp: [[none, 1]] },
    { expr: stateCountQuery(s, Running, f({ challengeId: [ODD_CHALLENGE, 'misc-1'] })), exp: [[none, 1]] },
    { expr: stateCountQuery(s, Pending, f({ challengeId: [ODD_CHALLENGE, 'misc-1'] })), exp: [[none, 0]] },
    // Only nora's newest state counts: no Error, one Running.
    { expr: stateCountQuery(s, ErrorState, f({ username: ['nora'] })), exp: [[none, 0]] },
    { expr: stateCountQuery(s, Running, f({ username: ['nora'] })), exp: [[none, 1]] },
    // dave's ghost is not Running.
    { expr: stateCountQuery(s, Running, f({ username: ['dave'] })), exp: [[none, 0]] },

    // Per challenge, every challenge with an instance in the views: web-1 has alice, erin, a.c, nora Running, abc
    // Error; pwn-1 bob Error; rev-1 mia Running (dave's ghost is not); re(v)*2 odd Running. misc-1 only had grace,
    // gone without a Deleted.
    {
      expr: challengeStateCountQuery(s, Running),
      exp: [
        [byId('web-1'), 4],
        [byId('pwn-1'), 0],
        [byId('rev-1'), 1],
        [byId(ODD_CHALLENGE), 1],
      ],
    },
    {
      expr: challengeStateCountQuery(s, ErrorState),
      exp: [
        [byId('web-1'), 1],
        [byId('pwn-1'), 1],
        [byId('rev-1'), 0],
        [byId(ODD_CHALLENGE), 0],
      ],
    },

    // The one query the page sends for the stats and the per-challenge bars: per challenge and state, the counts
    // above (Running web-1 4 + rev-1 1 + odd 1 = 6, Deleted web-1 2 + pwn-1 2 = 4, Error web-1 1 + pwn-1 1 = 2, no Pending), and the
    // reporting 0 unlabelled.
    {
      expr: challengeStateCountsQuery(s),
      exp: [
        [none, 0],
        [byState('web-1', Running), 4],
        [byState('web-1', ErrorState), 1],
        [byState('pwn-1', ErrorState), 1],
        [byState('rev-1', Running), 1],
        [byState(ODD_CHALLENGE, Running), 1],
        [byState('web-1', Deleted), 2],
        [byState('pwn-1', Deleted), 2],
      ],
    },
    // ctf-2: a.c Running and abc Error, both on web-1.
    {
      expr: challengeStateCountsQuery(s, f({ namespace: ['ctf-2'] })),
      exp: [
        [none, 0],
        [byState('web-1', Running), 1],
        [byState('web-1', ErrorState), 1],
      ],
    },

    // Over time (instant evaluations of the range query; reported at that step, or Deleted within the last 2 m):
    // at 2760 s: Running alice, carol, odd, a.c, judy, ken, mia; leo Deleted since 2730 s. erin and nora are in
    // their operator's restart gap (op-a ended at 2700 s, op-b starts at 2850 s): not reported, not counted.
    { expr: stateCountOverTimeQuery(s, Pending), at: '2760s', exp: [[none, 0]] },
    { expr: stateCountOverTimeQuery(s, Running), at: '2760s', exp: [[none, 7]] },
    { expr: stateCountOverTimeQuery(s, Deleted), at: '2760s', exp: [[none, 1]] },
    { expr: stateCountOverTimeQuery(s, ErrorState), at: '2760s', exp: [[none, 2]] },
    // at 3120 s: carol's last sample (3060 s) is Deleted, judy and leo Deleted; Running alice, erin and nora (op-b),
    // odd, a.c, ken, mia.
    { expr: stateCountOverTimeQuery(s, Running), at: '3120s', exp: [[none, 7]] },
    { expr: stateCountOverTimeQuery(s, Deleted), at: '3120s', exp: [[none, 3]] },
    // at T: carol is gone, ken joined the Deleted.
    { expr: stateCountOverTimeQuery(s, Running), exp: [[none, 6]] },
    { expr: stateCountOverTimeQuery(s, Deleted), exp: [[none, 3]] },
    { expr: stateCountOverTimeQuery(s, Pending), exp: [[none, 0]] },
  ];
}

describeCases('Overview', cases);

describe.each(PROMETHEUS_BUILDS)('the promtool harness, Prometheus $name', (build) => {
  it('fails when a sample differs (the harness can fail)', () => {
    const file = promtoolFile(DEFAULT_SETTINGS, cases);
    file.tests[0].promql_expr_test = [
      {
        expr: substitute(stateCountQuery(DEFAULT_SETTINGS, Running)),
        eval_time: EVAL,
        exp_samples: [{ labels: '{}', value: 5 }],
      },
    ];
    const { status, output } = promtoolTestRules(build, file);
    expect(status).not.toBe(0);
    expect(output).toContain('FAILED');
  });
});
