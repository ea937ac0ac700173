/**
 * window.grafanaBootData, as Grafana's index.html writes it before any frontend code runs: @grafana/runtime's
 * `config` reads it when its module is first evaluated, so this module is imported first (main.tsx).
 * The server (../server.ts) injects `window.__hostOptions` (sub-path) and the test picks the theme.
 */
declare global {
  interface Window {
    __hostOptions?: { appSubUrl: string };
    __hostTheme?: 'dark' | 'light';
  }
}

const appSubUrl = window.__hostOptions?.appSubUrl ?? '';
// Where @grafana/ui finds its icons (Grafana's index.html sets it).
(window as unknown as Record<string, string>).__grafana_public_path__ = `${appSubUrl}/public/`;
const theme = window.__hostTheme ?? 'dark';

// (@grafana/plugin-e2e declares window.grafanaBootData with the few fields its tests read.)
(window as unknown as { grafanaBootData: unknown }).grafanaBootData = {
  assets: { dark: '', light: '' },
  navTree: [],
  user: {
    id: 1,
    uid: 'admin',
    login: 'admin',
    name: 'admin',
    email: 'admin@localhost',
    isSignedIn: true,
    isGrafanaAdmin: true,
    orgId: 1,
    orgName: 'Main Org.',
    orgRole: 'Admin',
    theme,
    lightTheme: theme === 'light',
    // The fixture's times are UTC; a fixed zone keeps the pages identical on every machine.
    timezone: 'utc',
    weekStart: 'monday',
    locale: 'en-US',
    language: 'en-US',
    regionalFormat: 'en-US',
    permissions: {},
  },
  settings: {
    appSubUrl,
    appUrl: `${window.location.origin}${appSubUrl}/`,
    buildInfo: { version: '13.2.3', edition: 'Open Source', env: 'production', commit: 'host', buildstamp: 0 },
    defaultDatasource: 'Prometheus',
    datasources: {},
    panels: {},
    apps: {},
    featureToggles: {},
    minRefreshInterval: '5s',
    exploreEnabled: true,
    unifiedAlertingEnabled: false,
    authProxyEnabled: false,
    anonymousEnabled: false,
    disableLoginForm: false,
    pluginCatalogURL: '',
    bootData: undefined,
  },
};

export {};
