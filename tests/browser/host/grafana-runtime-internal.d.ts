// What Grafana's boot reaches through @grafana/runtime/internal, which the package does not publish: buildHost.ts
// points these names at the published files that define them.
declare module 'grafana-runtime-internal/PluginPage' {
  import type { PluginPageType } from '@grafana/runtime';
  export function setPluginPage(component: PluginPageType): void;
}

declare module 'grafana-runtime-internal/dataSourceSettings' {
  /** Fills the runtime's datasource settings cache from boot data, as Grafana does at start. */
  export function initDataSourceInstanceSettings(
    settings: Record<string, import('@grafana/data').DataSourceInstanceSettings>,
    defaultName: string
  ): void;
}

declare module 'grafana-runtime-internal/dataSourceInstance' {
  /** How the runtime loads a datasource plugin for an instance (Grafana's plugin importer at start). */
  export function setDataSourcePluginImporter(
    fn: (meta: import('@grafana/data').DataSourcePluginMeta) => Promise<import('@grafana/data').DataSourcePlugin>
  ): void;
}
