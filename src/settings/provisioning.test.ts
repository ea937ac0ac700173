/**
 * @jest-environment node
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

import pluginJson from '../plugin.json';
import { DEFAULT_SETTINGS, resolveSettings, toJsonData } from './settings';

// The provisioning files ship the same defaults the app falls back to, so a provisioned and an unconfigured app
// behave alike and the datasource the settings point at exists.
const provisioning = (file: string) => parse(readFileSync(join(__dirname, '..', '..', 'provisioning', file), 'utf8'));

describe('provisioning', () => {
  it('provisions a Prometheus datasource under the default uid', () => {
    const { datasources } = provisioning('datasources/default.yaml');
    const prometheus = datasources.find((d: { uid: string }) => d.uid === DEFAULT_SETTINGS.datasourceUid);
    expect(prometheus).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
  });

  it('enables the app with exactly the default settings', () => {
    const { apps } = provisioning('plugins/app.yaml');
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({ type: pluginJson.id, disabled: false });
    expect(apps[0].jsonData).toEqual(toJsonData(DEFAULT_SETTINGS));
    expect(resolveSettings(apps[0].jsonData)).toEqual(DEFAULT_SETTINGS);
  });
});
