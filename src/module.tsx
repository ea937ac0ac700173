import React from 'react';
import { AppPlugin, type AppRootProps } from '@grafana/data';
import { initPluginTranslations } from '@grafana/i18n';
import { loadResources } from '@grafana/scenes';
import { LoadingPlaceholder } from '@grafana/ui';
import type { AppConfigProps } from './components/AppConfig/AppConfig';
import type { AppSettings } from './settings/settings';
import { loadedOnRender } from './utils/loadedOnRender';
import pluginJson from 'plugin.json';

await initPluginTranslations(pluginJson.id, [loadResources]);

// Loaded when first shown, without a Suspense boundary (loadedOnRender.tsx says why).
const App = loadedOnRender<AppRootProps>(() => import('./components/App/App'), <LoadingPlaceholder text="" />);
const AppConfig = loadedOnRender<AppConfigProps>(
  () => import('./components/AppConfig/AppConfig'),
  <LoadingPlaceholder text="" />
);

export const plugin = new AppPlugin<AppSettings>().setRootPage(App).addConfigPage({
  title: 'Configuration',
  icon: 'cog',
  body: AppConfig,
  id: 'configuration',
});
