import { sceneGraph, type MultiValueVariable } from '@grafana/scenes';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { renderScene, settle, setupHarness } from '../../test/scene-harness';
import { usersChallengesScene } from '../UsersChallenges/usersChallengesPage';

const labelValues = { username: ['alice'], challenge_id: ['web-1'], namespace: ['ctf'] };

describe('a page scene starts the queries of its panels and notices when it activates', () => {
  it('sends the matrix and the notice checks with the scene, before anything has mounted', async () => {
    const harness = setupHarness();
    harness.labelValues = labelValues;
    let answer: () => void = () => undefined;
    harness.labelValuesAnswered = new Promise<void>((resolve) => (answer = resolve));
    const scene = usersChallengesScene(DEFAULT_SETTINGS);
    const deactivate = scene.activate();
    await settle();
    // Nothing rendered, and the filters' label values still on their way.
    const sentBy = (runner: string) => harness.queries.filter((q) => q.runner === runner).length;
    expect(sentBy('matrix')).toBeGreaterThan(0);
    expect(sentBy('legacy-operator')).toBeGreaterThan(0);
    answer();
    await settle();
    deactivate();
    expect(sceneGraph.findByKey(scene, 'matrix').isActive).toBe(false);
  });

  it('with a user chosen before the page opens (a URL), waits for that filter and sends only the filtered matrix', async () => {
    const harness = setupHarness();
    harness.labelValues = labelValues;
    let answer: () => void = () => undefined;
    harness.labelValuesAnswered = new Promise<void>((resolve) => (answer = resolve));
    const scene = usersChallengesScene(DEFAULT_SETTINGS);
    // As the URL's var-user=alice sets it, before activation.
    (sceneGraph.lookupVariable('user', scene) as MultiValueVariable).setState({ value: ['alice'], text: ['alice'] });
    const deactivate = scene.activate();
    await settle();
    const matrix = () => harness.queries.filter((q) => q.runner === 'matrix');
    expect(matrix()).toHaveLength(0);
    // The filter's options come: the runner, active before its panel mounted, still hears it.
    answer();
    await settle();
    expect(matrix().length).toBeGreaterThan(0);
    expect(matrix().every((q) => q.expr.includes('username="alice"'))).toBe(true);
    deactivate();
  });

  it('hands the data over to the panel when it mounts: the matrix is asked once, and stops with the page', async () => {
    const harness = setupHarness();
    harness.labelValues = labelValues;
    const scene = usersChallengesScene(DEFAULT_SETTINGS);
    const view = await renderScene(scene);
    expect(harness.queries.filter((q) => q.runner === 'matrix')).toHaveLength(1);
    view.unmount();
    expect(sceneGraph.findByKey(scene, 'matrix').isActive).toBe(false);
  });
});
