import React from 'react';
import { act, render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { LocationServiceProvider, locationService } from '@grafana/runtime';
import type { AppSettings } from '../../settings/settings';
import { ROUTER_FUTURE, lastQueriesOf, setupHarness, settle, viewStatesText } from '../../test/scene-harness';
import { encodeUserKey } from '../../pages/UsersChallenges/userKey';
import App from './App';

const BASE = '/a/hexactf-challenges-app';

/** Mounts the app the way Grafana does: its root page under /a/<plugin id>/*, with the plugin's jsonData. */
async function renderApp(path: string, jsonData: AppSettings) {
  const props = {
    meta: { id: 'hexactf-challenges-app', jsonData },
    basename: BASE,
  } as unknown as AppRootProps<AppSettings>;
  locationService.push(path);
  await act(async () => {
    render(
      <LocationServiceProvider service={locationService}>
        <MemoryRouter initialEntries={[path]} future={ROUTER_FUTURE}>
          {/* Grafana's page element, where drawers (the panel inspector) attach. */}
          <div className="main-view">
            <Routes>
              <Route path={`${BASE}/*`} element={<App {...props} />} />
            </Routes>
          </div>
        </MemoryRouter>
      </LocationServiceProvider>
    );
  });
  await settle();
}

describe('App', () => {
  it("opens the Overview at the app's bare URL", async () => {
    const harness = setupHarness();
    await renderApp(BASE, {});
    expect(await screen.findByText('Running and Error instances per challenge')).toBeInTheDocument();
    expect(lastQueriesOf(harness, 'state-counts')).toHaveLength(1);
  });

  it('feeds the metric name, label names and window from jsonData into the queries', async () => {
    const harness = setupHarness();
    await renderApp(`${BASE}/users-challenges`, {
      metricName: 'old_status',
      challengeIdLabel: 'challeng_id',
      defaultWindow: '6h',
    });
    expect(lastQueriesOf(harness, 'matrix')[0].expr).toBe(
      `label_join(${viewStatesText('namespace, username, challeng_id, challenge_name, cluster', 'old_status', '6h')}, ` +
        // Columns are named per challenge and namespace; the transforms drop the namespace when only one is shown.
        '"hexactf_matrix_column", " @ ", "challeng_id", "namespace")'
    );
    expect(harness.variableQueries.map((q) => q.query)).toContain('label_values(old_status, challeng_id)');
  });

  it.each([
    ['triage', 'Instances in Error'],
    ['usage', 'Peak concurrent instances per user'],
  ])('routes %s', async (route, panelTitle) => {
    setupHarness();
    await renderApp(`${BASE}/${route}`, {});
    expect(await screen.findByText(panelTitle)).toBeInTheDocument();
  });

  it("routes a user link to that user's page", async () => {
    const harness = setupHarness();
    const warn = jest.spyOn(console, 'warn');
    try {
      await renderApp(`${BASE}/users-challenges/user/${encodeUserKey('o"b/x#1')}`, {});
      expect(await screen.findByText('Instances of o"b/x#1')).toBeInTheDocument();
      expect(lastQueriesOf(harness, 'user-instances')[0].expr).toContain('{username="o\\"b/x#1"}');
      // React Router warns when a route that renders descendant <Routes> has no trailing "*".
      expect(warn.mock.calls.flat().filter((m) => String(m).includes('trailing "*"'))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it.each([
    ['triage', 'panel-instances-in-error', 'Instances in Error'],
    [`users-challenges/user/${encodeUserKey('alice')}`, 'panel-instances-of-alice', 'Instances of alice'],
  ])('opens the panel inspector a link names, on %s', async (route, key, title) => {
    setupHarness();
    await renderApp(`${BASE}/${route}?inspect=${key}&inspectTab=query`, {});
    expect(await screen.findByRole('heading', { name: `Inspect: ${title}` })).toBeInTheDocument();
    // The page's URL sync keeps the link's parameters as they are (no other object claims them).
    expect(locationService.getSearch().get('inspect')).toBe(key);
    expect(locationService.getSearch().get('inspectTab')).toBe('query');
  });

  it('shows the no-datasource message on every page instead of a blank one', async () => {
    const harness = setupHarness([]);
    await renderApp(`${BASE}/usage`, {});
    expect(screen.getByText('No Prometheus datasource')).toBeInTheDocument();
    expect(harness.queries).toEqual([]);
  });
});
