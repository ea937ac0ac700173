import React from 'react';
import { of } from 'rxjs';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PluginType, type AppPluginMeta, type DataSourceInstanceSettings } from '@grafana/data';
import {
  locationService,
  setBackendSrv,
  setDataSourceSrv,
  type BackendSrv,
  type DataSourceSrv,
} from '@grafana/runtime';

import type { AppSettings } from '../../settings/settings';
import { testIds } from '../testIds';
import AppConfig from './AppConfig';

// No Grafana server can run here: the backend and datasource services are stand-ins that record what the page
// sends, installed through @grafana/runtime's own setters as Grafana installs the real ones.
const prometheus = {
  uid: 'hexactf-prometheus',
  name: 'Prometheus',
  type: 'prometheus',
  meta: { id: 'prometheus', name: 'Prometheus', info: { logos: { small: '' } } },
} as unknown as DataSourceInstanceSettings;

function setup(jsonData: AppSettings) {
  const fetch = jest.fn((_options: unknown) => of({ data: {} }));
  setBackendSrv({ fetch } as unknown as BackendSrv);
  setDataSourceSrv({
    getList: () => [prometheus],
    getInstanceSettings: (ref: unknown) =>
      ref === prometheus.uid || (ref as { uid?: string })?.uid === prometheus.uid ? prometheus : undefined,
    get: jest.fn(),
    reload: jest.fn(),
    registerRuntimeDataSource: jest.fn(),
  } as unknown as DataSourceSrv);
  const reload = jest.spyOn(locationService, 'reload').mockImplementation(() => {});
  const meta = {
    id: 'hexactf-challenges-app',
    name: 'Challenges',
    type: PluginType.app,
    enabled: true,
    pinned: true,
    jsonData,
  } as unknown as AppPluginMeta<AppSettings>;
  render(<AppConfig plugin={{ meta } as any} query={{} as any} />);
  return { fetch, reload };
}

afterEach(() => jest.restoreAllMocks());

describe('AppConfig', () => {
  it('shows the current settings, defaults filled in', () => {
    setup({ challengeIdLabel: 'challeng_id' });
    expect(screen.getByTestId(testIds.appConfig.challengeIdLabel)).toHaveValue('challeng_id');
    expect(screen.getByTestId(testIds.appConfig.usernameLabel)).toHaveValue('username');
    expect(screen.getByTestId(testIds.appConfig.metricName)).toHaveValue('challenge_resource_status');
    expect(screen.getByRole('radio', { name: '2h' })).toBeChecked();
  });

  it('saves the edited settings to jsonData and reloads', async () => {
    const { fetch, reload } = setup({});
    fireEvent.change(screen.getByTestId(testIds.appConfig.challengeIdLabel), { target: { value: ' challeng_id ' } });
    fireEvent.click(screen.getByRole('radio', { name: '6h' }));
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));

    await waitFor(() => expect(reload).toHaveBeenCalled());
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0][0]).toEqual({
      url: '/api/plugins/hexactf-challenges-app/settings',
      method: 'POST',
      data: {
        enabled: true,
        pinned: true,
        jsonData: {
          datasourceUid: 'hexactf-prometheus',
          defaultWindow: '6h',
          metricName: 'challenge_resource_status',
          challengeIdLabel: 'challeng_id',
          challengeNameLabel: 'challenge_name',
          usernameLabel: 'username',
          namespaceLabel: 'namespace',
          clusterLabel: 'cluster',
        },
      },
    });
  });

  it('shows the cluster label, saves a new one, and refuses one that another role has', async () => {
    const { fetch, reload } = setup({ clusterLabel: 'region' });
    const field = screen.getByTestId(testIds.appConfig.clusterLabel);
    expect(field).toHaveValue('region');
    fireEvent.change(field, { target: { value: 'username' } });
    expect(screen.getByText(/Same label as the username label/)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();
    fireEvent.change(field, { target: { value: 'thanos_cluster' } });
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(reload).toHaveBeenCalled());
    const sent = fetch.mock.calls[0][0] as { data: { jsonData: { clusterLabel: string } } };
    expect(sent.data.jsonData.clusterLabel).toBe('thanos_cluster');
  });

  it('refuses a label name Prometheus would not accept', () => {
    const { fetch } = setup({});
    fireEvent.change(screen.getByTestId(testIds.appConfig.usernameLabel), { target: { value: 'user name' } });
    expect(screen.getByText(/Not a Prometheus label name/)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();
    fireEvent.submit(screen.getByTestId(testIds.appConfig.container));
    expect(fetch).not.toHaveBeenCalled();
  });
});
