import { act } from '@testing-library/react';
import { sceneGraph, type MultiValueVariable } from '@grafana/scenes';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import {
  instantNumberFrame,
  lastQueriesOf,
  panelTitled,
  printedNoData,
  REPORTING_ZERO,
  renderScene,
  setupHarness,
  settle,
} from '../../test/scene-harness';
import { lifecycleScene, TRIAGE_LINK } from './lifecyclePage';

const TTR = 'challenge_time_to_running_seconds_bucket';

describe('Lifecycle page', () => {
  it('asks for the time to Running, lifetimes and transitions of the selected namespace, escaped', async () => {
    const harness = setupHarness();
    harness.labelValues.namespace = ['ctf', 'ctf"}) or vector(1) #'];
    const scene = lifecycleScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    await act(async () =>
      (sceneGraph.lookupVariable('namespace', scene) as MultiValueVariable).changeValueTo(['ctf"}) or vector(1) #'])
    );
    await settle();
    const ns = '{namespace="ctf\\"}) or vector(1) #"}';
    expect(lastQueriesOf(harness, 'time-to-running').map((q) => [q.refId, q.expr, q.range])).toEqual(
      [0.5, 0.9, 0.99].map((q) => [
        `p${Math.round(q * 100)}`,
        `histogram_quantile(${q}, sum by (le) (rate(${TTR}${ns}[$__rate_interval])))`,
        true,
      ])
    );
    expect(lastQueriesOf(harness, 'time-to-running-by-definition')[0]).toMatchObject({
      expr: `histogram_quantile(0.5, sum by (definition, le) (increase(${TTR}${ns}[$__range])))`,
      instant: true,
      format: 'table',
    });
    expect(lastQueriesOf(harness, 'transitions').map((q) => q.expr)).toEqual([
      `sum(rate(challenge_state_transitions_total{namespace="ctf\\"}) or vector(1) #", from="None"}[$__rate_interval])) * 60 or ${REPORTING_ZERO}`,
      `sum(rate(challenge_state_transitions_total{namespace="ctf\\"}) or vector(1) #", to="Error"}[$__rate_interval])) * 60 or ${REPORTING_ZERO}`,
      `sum(rate(challenge_lifetime_seconds_count{namespace="ctf\\"}) or vector(1) #"}[$__rate_interval])) * 60 or ${REPORTING_ZERO}`,
    ]);
    // The operator's own health is not per namespace.
    expect(lastQueriesOf(harness, 'reconcile-rate').map((q) => q.expr)).toEqual([
      'sum by (result) (rate(controller_runtime_reconcile_total{controller="challenge"}[$__rate_interval]))',
      'sum(rate(controller_runtime_reconcile_errors_total{controller="challenge"}[$__rate_interval])) or (0 * group(controller_runtime_reconcile_total{controller="challenge"}))',
    ]);
    expect(lastQueriesOf(harness, 'work-queue')[0].expr).toBe('sum(workqueue_depth{name="challenge"})');
  });

  it('offers the namespace filter only: the lifecycle metrics have no user or challenge label', async () => {
    setupHarness();
    const scene = lifecycleScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    expect(sceneGraph.lookupVariable('namespace', scene)).not.toBeNull();
    expect(sceneGraph.lookupVariable('user', scene)).toBeNull();
    expect(sceneGraph.lookupVariable('challenge', scene)).toBeNull();
  });

  it('turns the reconcile errors red from 1 and links them to the Triage page', async () => {
    const harness = setupHarness();
    harness.respond = (q) => (q.runner === 'reconcile-errors-in-range' ? [instantNumberFrame('A', 3)] : []);
    const scene = lifecycleScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const errors = panelTitled(scene, 'Reconcile errors in the range').state.fieldConfig.defaults;
    expect(errors.thresholds?.steps).toEqual([
      { value: -Infinity, color: 'green' },
      { value: 1, color: 'red' },
    ]);
    expect(errors.links).toEqual([{ title: 'Open Triage: the instances in Error', url: TRIAGE_LINK }]);
    expect(TRIAGE_LINK).toMatch(/^\/a\/hexactf-challenges-app\/triage\?/);
    expect(printedNoData('Reconcile errors in the range')).toBeUndefined();
  });

  it('says so when no instance got Running or ended in the range', async () => {
    setupHarness();
    await renderScene(lifecycleScene(DEFAULT_SETTINGS));
    expect(printedNoData('Time to Running per definition')).toBe('No instance got Running in the range');
    expect(printedNoData('Instance lifetime')).toBe('No instance ended in the range');
    expect(printedNoData('Share of instances that ended within each lifetime')).toBe('No instance ended in the range');
  });
});
