import { EmbeddedScene, SceneFlexLayout, SceneVariableSet } from '@grafana/scenes';
import { VariableHide } from '@grafana/schema';
import { readFilters } from '../../data/filters';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { ClusterVariable } from './clusterVariable';

// Grafana's value of the "All" option (scenes' ALL_VARIABLE_VALUE, not exported by every version).
const ALL_VARIABLE_VALUE = '$__all';

const option = (value: string) => ({ label: value, value });

describe('the cluster filter', () => {
  it('asks for the values of the configured cluster label on the gauge', () => {
    const variable = new ClusterVariable({ ...DEFAULT_SETTINGS, clusterLabel: 'region' });
    expect(variable.state.query).toEqual(
      expect.objectContaining({ query: 'label_values(challenge_resource_status, region)' })
    );
    expect(variable.state.name).toBe('cluster');
  });

  it('is hidden with no cluster or one, shown with two, hidden again when the range holds one', () => {
    const variable = new ClusterVariable(DEFAULT_SETTINGS);
    const deactivate = variable.activate();
    expect(variable.state.hide).toBe(VariableHide.hideVariable);

    variable.setState({ options: [option('a')] });
    expect(variable.state.hide).toBe(VariableHide.hideVariable);

    variable.setState({ options: [option('a'), option('b')] });
    expect(variable.state.hide).toBe(VariableHide.dontHide);

    variable.setState({ options: [option('b')] });
    expect(variable.state.hide).toBe(VariableHide.hideVariable);
    deactivate();
  });

  it('sends no value list on All, the selected clusters otherwise', () => {
    const variable = new ClusterVariable(DEFAULT_SETTINGS);
    const page = new EmbeddedScene({
      $variables: new SceneVariableSet({ variables: [variable] }),
      body: new SceneFlexLayout({ children: [] }),
    });
    variable.setState({ options: [option('a'), option('b')], value: ALL_VARIABLE_VALUE, text: 'All' });
    expect(readFilters(page).cluster).toEqual([]);
    variable.setState({ value: ['b'], text: ['b'] });
    expect(readFilters(page).cluster).toEqual(['b']);
  });
});
