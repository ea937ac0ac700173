import { getDataSourceSrv } from '@grafana/runtime';
import type { DataSourceInstanceSettings } from '@grafana/data';
import pluginJson from '../plugin.json';

/** Every query and filter goes to the datasource picked in the `$ds` variable. */
export const PROMETHEUS_DS_REF = Object.freeze({ type: 'prometheus', uid: '${ds}' });

/** Grafana pages the datasource messages link to. */
export const CONFIG_PAGE_URL = `/plugins/${pluginJson.id}`;
export const NEW_DATASOURCE_URL = '/connections/datasources/new';
export const datasourceSettingsUrl = (uid: string) => `/connections/datasources/edit/${encodeURIComponent(uid)}`;

/** The Prometheus datasources this Grafana has (the picker's options). */
export function prometheusDatasources(): DataSourceInstanceSettings[] {
  return getDataSourceSrv().getList({ type: 'prometheus' });
}
