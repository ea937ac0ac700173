/**
 * @jest-environment node
 */
/*
 * The Lifecycle page's queries, evaluated by the real `promtool test rules` of Prometheus 2.x and 3.x. Quantiles
 * and rates are checked to the last bit, so the input avoids what differs between Prometheus versions: every counter is 0 at the start of the
 * range a query reads and has a sample at its end, so `increase` and `rate` extrapolate nothing (Prometheus 2 and 3
 * differ in whether a sample on the range's left edge counts, and the extrapolation would round differently).
 *
 * The cases: over the dashboard range (lifecycleRange.fixture.ts) and at one step (lifecycleStep.fixture.ts), with
 * the expected quantiles worked out by hand; the harness is lifecyclePromtool.fixture.ts.
 */
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';

import { promtoolFile, promtoolTestRules } from './lifecyclePromtool.fixture';
import { RANGE_INPUT, rangeCases } from './lifecycleRange.fixture';
import { STEP_INPUT, stepCases } from './lifecycleStep.fixture';

// On Debian's Prometheus 2.x and on Prometheus 3: the answers must not depend on the version.
describe.each(PROMETHEUS_BUILDS)('the Lifecycle queries, evaluated by promtool of Prometheus $name', (build) => {
  it('give the exact quantiles, shares and counts over the dashboard range', () => {
    const { status, output } = promtoolTestRules(build, promtoolFile(RANGE_INPUT, rangeCases()));
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });

  it('give the exact quantiles and rates at a step', () => {
    const { status, output } = promtoolTestRules(build, promtoolFile(STEP_INPUT, stepCases()));
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });

  it('fail when a quantile is off (the harness can fail)', () => {
    const [first] = rangeCases();
    const wrong = { ...first, exp: first.exp.map((e) => ({ ...e, value: e.value + 0.5 })) };
    const { status, output } = promtoolTestRules(build, promtoolFile(RANGE_INPUT, [wrong]));
    expect(status).not.toBe(0);
    expect(output).toContain('FAILED');
  });
});
