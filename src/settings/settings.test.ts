import { DEFAULT_LABELS } from '../metric/contract';
import { DEFAULT_SETTINGS, resolveSettings, toJsonData, validateSettings } from './settings';

describe('resolveSettings', () => {
  it('fills every default for an unconfigured app', () => {
    expect(resolveSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(resolveSettings({})).toEqual({
      datasourceUid: 'hexactf-prometheus',
      defaultWindow: '2h',
      metricName: 'challenge_resource_status',
      labels: {
        challengeId: 'challenge_id',
        challengeName: 'challenge_name',
        username: 'username',
        namespace: 'namespace',
      },
      clusterLabel: 'cluster',
    });
  });

  it('takes a cluster label name, and refuses one that is not a name or is another role\'s', () => {
    expect(resolveSettings({ clusterLabel: ' prometheus_cluster ' }).clusterLabel).toBe('prometheus_cluster');
    expect(resolveSettings({ clusterLabel: 'a-b' }).clusterLabel).toBe('cluster');
    expect(resolveSettings({ clusterLabel: 'username' })).toEqual(DEFAULT_SETTINGS);
    // A role renamed to the cluster's default: both fall back, so no two roles share a label.
    expect(resolveSettings({ challengeIdLabel: 'cluster' })).toEqual(DEFAULT_SETTINGS);
  });

  it("takes the original HexaCTF operator's label name", () => {
    const settings = resolveSettings({ challengeIdLabel: 'challeng_id', defaultWindow: '6h', datasourceUid: 'prom' });
    expect(settings.labels).toEqual({ ...DEFAULT_LABELS, challengeId: 'challeng_id' });
    expect(settings.defaultWindow).toBe('6h');
    expect(settings.datasourceUid).toBe('prom');
  });

  it('drops values that are not Prometheus names or window choices', () => {
    const settings = resolveSettings({
      metricName: 'up{job="x"}',
      usernameLabel: 'user name',
      namespaceLabel: '__name__',
      defaultWindow: '3h',
    });
    expect(settings.metricName).toBe('challenge_resource_status');
    expect(settings.labels.username).toBe('username');
    expect(settings.labels.namespace).toBe('namespace');
    expect(settings.defaultWindow).toBe('2h');
  });

  it('falls back to the defaults when two roles share a label', () => {
    expect(resolveSettings({ challengeIdLabel: 'username' }).labels).toEqual(DEFAULT_LABELS);
  });

  it('round-trips through jsonData', () => {
    const settings = resolveSettings({ challengeIdLabel: 'challeng_id', metricName: 'my_status' });
    expect(resolveSettings(toJsonData(settings))).toEqual(settings);
  });
});

describe('validateSettings', () => {
  it('accepts empty fields (they mean the default)', () => {
    expect(validateSettings({})).toEqual({});
    expect(validateSettings({ challengeIdLabel: ' ', metricName: '' })).toEqual({});
  });

  it('names the bad fields', () => {
    const errors = validateSettings({ metricName: '1abc', challengeIdLabel: 'a-b', defaultWindow: '5m' });
    expect(Object.keys(errors).sort()).toEqual(['challengeIdLabel', 'defaultWindow', 'metricName']);
  });

  it('validates the cluster label like the other label names', () => {
    expect(validateSettings({ clusterLabel: 'kube cluster' })).toHaveProperty('clusterLabel');
    expect(validateSettings({ clusterLabel: 'namespace' })).toEqual({
      clusterLabel: 'Same label as the namespace label: each role needs its own label.',
    });
    expect(validateSettings({ usernameLabel: 'cluster' })).toEqual({
      usernameLabel: 'Same label as the cluster label: each role needs its own label.',
    });
  });

  it('refuses the same label for two roles, on the field set to the taken name', () => {
    expect(validateSettings({ usernameLabel: 'namespace' })).toEqual({
      usernameLabel: 'Same label as the namespace label: each role needs its own label.',
    });
    expect(validateSettings({ namespaceLabel: 'username' })).toEqual({
      namespaceLabel: 'Same label as the username label: each role needs its own label.',
    });
    // Both changed to the same name: one error, on the later field.
    expect(validateSettings({ challengeIdLabel: 'id', challengeNameLabel: 'id' })).toEqual({
      challengeNameLabel: 'Same label as the challenge id label: each role needs its own label.',
    });
  });
});
