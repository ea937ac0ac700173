import React, { useMemo } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { SceneApp } from '@grafana/scenes';
import type { AppRootProps } from '@grafana/data';
import { resolveSettings, type AppSettings, type ResolvedSettings } from '../../settings/settings';
import { prefixRoute } from '../../utils/utils.routing';
import { ROUTES } from '../../constants';
import { overviewPage } from '../../pages/Overview/overviewPage';
import { usersChallengesPage } from '../../pages/UsersChallenges/usersChallengesPage';
import { usagePage } from '../../pages/Usage/usagePage';
import { triagePage } from '../../pages/Triage/triagePage';
import { lifecyclePage } from '../../pages/Lifecycle/lifecyclePage';

/** The app's pages for the given settings (every query takes its metric and label names from them). */
export function buildSceneApp(settings: ResolvedSettings): SceneApp {
  return new SceneApp({
    pages: [overviewPage(settings), usersChallengesPage(settings), usagePage(settings), triagePage(settings), lifecyclePage(settings)],
    urlSyncOptions: { updateUrlOnInit: true, createBrowserHistorySteps: true },
  });
}

function AppWithScenes({ settings }: { settings: ResolvedSettings }) {
  // One SceneApp per mount and settings: visiting the app again picks up new datasources and settings.
  const scene = useMemo(() => buildSceneApp(settings), [settings]);
  return (
    <Routes>
      {/* The app's bare URL opens the Overview. */}
      <Route index element={<Navigate to={prefixRoute(ROUTES.Overview)} replace />} />
      <Route path="*" element={<scene.Component model={scene} />} />
    </Routes>
  );
}

function App(props: AppRootProps<AppSettings>) {
  const jsonData = props.meta.jsonData;
  const settings = useMemo(() => resolveSettings(jsonData), [jsonData]);
  return <AppWithScenes settings={settings} />;
}

export default App;
