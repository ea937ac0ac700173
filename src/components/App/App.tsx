import React, { useMemo } from 'react';
import { SceneApp, useSceneApp } from '@grafana/scenes';
import type { AppRootProps } from '@grafana/data';
import { resolveSettings, type AppSettings, type ResolvedSettings } from '../../settings/settings';
import { PluginPropsContext } from '../../utils/utils.plugin';
import { overviewPage } from '../../pages/Overview/overviewPage';
import { usersChallengesPage } from '../../pages/UsersChallenges/usersChallengesPage';
import { usagePage } from '../../pages/Usage/usagePage';
import { triagePage } from '../../pages/Triage/triagePage';

/** The app's pages for the given settings (every query takes its metric and label names from them). */
export function buildSceneApp(settings: ResolvedSettings): SceneApp {
  return new SceneApp({
    pages: [overviewPage(settings), usersChallengesPage(settings), usagePage(settings), triagePage(settings)],
    urlSyncOptions: { updateUrlOnInit: true, createBrowserHistorySteps: true },
  });
}

// useSceneApp caches the app per factory function, so there is one factory per distinct settings.
const factories = new Map<string, () => SceneApp>();
function factoryFor(settings: ResolvedSettings): () => SceneApp {
  const key = JSON.stringify(settings);
  let factory = factories.get(key);
  if (!factory) {
    factory = () => buildSceneApp(settings);
    factories.set(key, factory);
  }
  return factory;
}

function AppWithScenes({ settings }: { settings: ResolvedSettings }) {
  const scene = useSceneApp(factoryFor(settings));
  return <scene.Component model={scene} />;
}

function App(props: AppRootProps<AppSettings>) {
  const jsonData = props.meta.jsonData;
  const settings = useMemo(() => resolveSettings(jsonData), [jsonData]);
  return (
    <PluginPropsContext.Provider value={props}>
      <AppWithScenes settings={settings} />
    </PluginPropsContext.Provider>
  );
}

export default App;
