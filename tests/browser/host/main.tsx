/**
 * The host page's boot, in Grafana's order: boot data, shared modules, runtime services, then the plugin: its
 * settings from the backend, its module.js through the AMD loader, init with its meta, and its root page.
 */
import './bootData';
import React from 'react';
import { createRoot } from 'react-dom/client';
import { ThemeContext, type AppPlugin, type AppPluginMeta } from '@grafana/data';
import { config, getBackendSrv } from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';
import { setPluginPage } from 'grafana-runtime-internal/PluginPage';
import { importAmdModule } from './amdLoader';
import { shareModules } from './sharedModules';
import { installServices } from './services';
import { HostApp } from './HostApp';
import { HostPluginPage } from './HostPluginPage';

const PLUGIN_ID = 'hexactf-challenges-app';

declare global {
  interface Window {
    /** Set by the benchmark (tests/browser/bench/): an AMD module drawn instead of the plugin, as a baseline. */
    __hostBenchModule?: string;
  }
}

async function boot() {
  shareModules();
  installServices();
  setPluginPage(HostPluginPage);
  if (window.__hostBenchModule) {
    // Through the plugin's loader, so the baseline uses the same shared React, @grafana/ui and theme as the plugin.
    const { Component } = (await importAmdModule(window.__hostBenchModule)) as { Component: React.ComponentType };
    createRoot(document.getElementById('reactRoot')!).render(
      <ThemeContext.Provider value={config.theme2}>
        <GlobalStyles />
        <Component />
      </ThemeContext.Provider>
    );
    return;
  }
  const meta = await getBackendSrv().get<AppPluginMeta>(`/api/plugins/${PLUGIN_ID}/settings`);
  const exports = await importAmdModule(`${config.appSubUrl}/public/plugins/${PLUGIN_ID}/module.js`);
  const plugin = exports.plugin as AppPlugin;
  plugin.init(meta);
  plugin.meta = meta;
  createRoot(document.getElementById('reactRoot')!).render(<HostApp plugin={plugin} meta={meta} />);
}

boot().catch((error: unknown) => {
  console.error('host boot failed', error);
  document.body.setAttribute('data-host-boot-error', String(error));
});
