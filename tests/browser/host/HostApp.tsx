/**
 * Grafana's app routes: an app plugin's root page under /a/<id>/* (with its meta in the plugin context, as
 * AppRootPage renders it) and its configuration page under /plugins/<id> (the plugin details page's tab body).
 * The router follows runtime's locationService history, as Grafana's does: the HistoryWrapper @grafana/runtime creates
 * on import (a browser history under config.appSubUrl, hence bootData first). setLocationService is not used: outside
 * NODE_ENV=test it refuses to replace that instance, in Grafana too.
 */
import React, { useLayoutEffect, useState, type ReactNode } from 'react';
import { Route, Router, Routes } from 'react-router-dom';
import { PluginContextProvider, ThemeContext, type AppPlugin, type AppPluginMeta } from '@grafana/data';
import { config, LocationServiceProvider, locationService } from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';
import { HostPluginPage } from './HostPluginPage';

function HistoryRouter({ children }: { children: ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useLayoutEffect(() => history.listen((next: typeof location) => setLocation(next)), [history]);
  return (
    <Router navigator={history as never} location={location} future={{ v7_relativeSplatPath: true }}>
      {children}
    </Router>
  );
}

export function HostApp({ plugin, meta }: { plugin: AppPlugin; meta: AppPluginMeta }) {
  const Root = plugin.root!;
  const basename = `/a/${meta.id}`;
  const ConfigBody = plugin.configPages?.[0]?.body;
  return (
    <ThemeContext.Provider value={config.theme2}>
      <GlobalStyles />
      <LocationServiceProvider service={locationService}>
        <HistoryRouter>
          <PluginContextProvider meta={meta}>
            {/* Grafana's page element, where drawers (the panel inspector) attach. */}
            <div className="main-view">
              <Routes>
                <Route
                  path={`${basename}/*`}
                  // Grafana's AppRootPage still passes the deprecated props; so does the host.
                  // eslint-disable-next-line @typescript-eslint/no-deprecated
                  element={<Root meta={meta} basename={basename} onNavChanged={() => {}} query={{}} path={basename} />}
                />
                {ConfigBody && (
                  <Route
                    path={`/plugins/${meta.id}`}
                    element={
                      <HostPluginPage pageNav={{ text: meta.name }}>
                        <ConfigBody plugin={plugin} query={{}} />
                      </HostPluginPage>
                    }
                  />
                )}
              </Routes>
            </div>
          </PluginContextProvider>
        </HistoryRouter>
      </LocationServiceProvider>
    </ThemeContext.Provider>
  );
}
