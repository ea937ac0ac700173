/**
 * Renders a page scene as the app does, with the URL sync its SceneAppPage gives it, behind a router that follows
 * Grafana's location service (Back moves both), inside the element Grafana's drawers attach to.
 */
import React, { useEffect, useState, type ReactNode } from 'react';
import { act, render } from '@testing-library/react';
import { Router, type Navigator } from 'react-router-dom';
import { LocationServiceProvider, locationService } from '@grafana/runtime';
import { UrlSyncContextProvider, type EmbeddedScene } from '@grafana/scenes';
import { settle } from './scene-harness';

/** React Router following Grafana's location service, as Grafana's own router does. */
function LocationRouter({ children }: { children: ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useEffect(() => history.listen((next: typeof history.location) => setLocation(next)), [history]);
  return (
    <Router location={location} navigator={history as unknown as Navigator}>
      {children}
    </Router>
  );
}

/** Renders `scene` at `/page<search>` with URL sync, and lets it settle. */
export async function renderUrlSyncedPage(scene: EmbeddedScene, search = '') {
  locationService.push(`/page${search}`);
  await act(async () => {
    render(
      <LocationServiceProvider service={locationService}>
        <LocationRouter>
          <div className="main-view">
            <UrlSyncContextProvider scene={scene} updateUrlOnInit createBrowserHistorySteps>
              <scene.Component model={scene} />
            </UrlSyncContextProvider>
          </div>
        </LocationRouter>
      </LocationServiceProvider>
    );
  });
  await settle();
}
