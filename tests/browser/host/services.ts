/**
 * What Grafana's frontend installs through @grafana/runtime's setters at boot, for the parts this app reaches:
 * datasources, template interpolation, runRequest, the backend (plugin settings, datasource proxy), app events,
 * echo (interaction reports), the plugin page, the panel plugins and the standard registries.
 */
import { from, of, type Observable } from 'rxjs';
import { catchError, map } from 'rxjs/operators';
import {
  DataSourcePlugin,
  locationUtil,
  type GrafanaConfig,
  EventBusSrv,
  LoadingState,
  type DataQueryRequest,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type PanelData,
  type ScopedVars,
} from '@grafana/data';
import {
  config,
  setAppEvents,
  setBackendSrv,
  setDataSourceSrv,
  setEchoSrv,
  setPluginImportUtils,
  setRunRequest,
  setTemplateSrv,
  type BackendSrv,
  type BackendSrvRequest,
  type DataSourceSrv,
  type EchoSrv,
  type FetchResponse,
  type TemplateSrv,
} from '@grafana/runtime';
import { initializeLoggersRegistry } from '@grafana/runtime/unstable';
import { initDataSourceInstanceSettings } from 'grafana-runtime-internal/dataSourceSettings';
import { setDataSourcePluginImporter } from 'grafana-runtime-internal/dataSourceInstance';
import { sceneGraph, type SceneObject } from '@grafana/scenes';
import { registerStandardFieldConfig } from '../../../src/test/standard-field-config';
import { registerStandardTransformers } from '../../../src/test/register-transformers';
import { PANELS } from './panels/registry';
import { HostPrometheusDatasource } from './prometheus/datasource';

/** The provisioned datasource (provisioning/datasources in the repo names it so). */
export const PROMETHEUS_SETTINGS = {
  id: 1,
  uid: 'hexactf-prometheus',
  name: 'Prometheus',
  type: 'prometheus',
  access: 'proxy',
  isDefault: true,
  readOnly: true,
  jsonData: { httpMethod: 'POST', timeInterval: '15s' },
  meta: {
    id: 'prometheus',
    name: 'Prometheus',
    type: 'datasource',
    metrics: true,
    module: 'core:plugin/prometheus',
    baseUrl: '',
    info: { logos: { small: '', large: '' } },
  },
} as unknown as DataSourceInstanceSettings;

const url = (path: string) => `${config.appSubUrl}${path}`;

/** Grafana's template service: scene queries carry their scene object, which interpolates (as Grafana's does). */
const templateSrv: TemplateSrv = {
  getVariables: () => [],
  replace(target = '', scopedVars?: ScopedVars, format?) {
    const sceneObject = scopedVars?.__sceneObject?.value?.valueOf() as SceneObject | undefined;
    if (sceneObject) {
      return sceneGraph.interpolate(sceneObject, target, scopedVars, format as never);
    }
    return target.replace(/\$\{?(\w+)\}?/g, (text, name: string) => String(scopedVars?.[name]?.value ?? text));
  },
  containsTemplate: (target) => /\$/.test(target ?? ''),
  updateTimeRange: () => {},
};

function datasourceSrv(): DataSourceSrv {
  const instance = new HostPrometheusDatasource(PROMETHEUS_SETTINGS);
  const matches = (ref: unknown, scopedVars?: ScopedVars) => {
    if (ref === null || ref === undefined) {
      return true;
    }
    const key = typeof ref === 'string' ? ref : ((ref as { uid?: string }).uid ?? '');
    const resolved = templateSrv.replace(key, scopedVars);
    return (
      resolved === '' ||
      resolved === PROMETHEUS_SETTINGS.uid ||
      resolved === PROMETHEUS_SETTINGS.name ||
      resolved === 'default'
    );
  };
  return {
    get: async (ref, scopedVars) => {
      if (!matches(ref, scopedVars)) {
        throw new Error(`Datasource ${JSON.stringify(ref)} was not found`);
      }
      return instance;
    },
    getList: (filters = {}) => {
      const f = filters as { type?: string | string[]; pluginId?: string };
      const types = f.type === undefined ? undefined : [f.type].flat();
      const ok = (!types || types.includes('prometheus')) && (!f.pluginId || f.pluginId === 'prometheus');
      return ok ? [PROMETHEUS_SETTINGS] : [];
    },
    getInstanceSettings: (ref, scopedVars) => (matches(ref, scopedVars) ? PROMETHEUS_SETTINGS : undefined),
    reload: async () => {},
    registerRuntimeDataSource: () => {},
  };
}

/** Grafana's runRequest: the datasource's answer as PanelData (Done, or Error with the message). */
function runRequest(ds: DataSourceApi, request: DataQueryRequest): Observable<PanelData> {
  const response = ds.query(request);
  const observable = (response instanceof Promise ? from(response) : response) as Observable<{
    data: PanelData['series'];
  }>;
  return observable.pipe(
    map((answer) => {
      request.endTime = Date.now();
      return { state: LoadingState.Done, series: answer.data, timeRange: request.range, request };
    }),
    catchError((error: unknown) =>
      of({
        state: LoadingState.Error,
        series: [],
        errors: [{ message: error instanceof Error ? error.message : String(error) }],
        error: { message: error instanceof Error ? error.message : String(error) },
        timeRange: request.range,
        request,
      })
    )
  );
}

/** Grafana's backend service, for the requests this app makes (plugin settings); relative to appSubUrl. */
function backendSrv(): BackendSrv {
  const send = async <T>(options: BackendSrvRequest): Promise<FetchResponse<T>> => {
    const params = options.params ? `?${new URLSearchParams(options.params)}` : '';
    const response = await fetch(url(`${options.url}${params}`), {
      method: options.method ?? 'GET',
      headers: { 'Content-Type': 'application/json' },
      body: options.data === undefined ? undefined : JSON.stringify(options.data),
    });
    const data = (await response.json()) as T;
    const result = {
      data,
      status: response.status,
      statusText: response.statusText,
      ok: response.ok,
      headers: response.headers,
      redirected: false,
      type: response.type,
      url: response.url,
      config: options,
    } as FetchResponse<T>;
    if (!response.ok) {
      throw Object.assign(new Error(`${options.url}: HTTP ${response.status}`), result);
    }
    return result;
  };
  const body = async <T>(options: BackendSrvRequest) => (await send<T>(options)).data;
  return {
    fetch: (options: BackendSrvRequest) => from(send(options)),
    request: body,
    datasourceRequest: send,
    get: (path: string, params?: BackendSrvRequest['params']) => body({ url: path, params }),
    delete: (path: string) => body({ url: path, method: 'DELETE' }),
    post: (path: string, data?: unknown) => body({ url: path, method: 'POST', data }),
    patch: (path: string, data?: unknown) => body({ url: path, method: 'PATCH', data }),
    put: (path: string, data?: unknown) => body({ url: path, method: 'PUT', data }),
    resolveCancelerIfExists: () => {},
    chunked: () => {
      throw new Error('not offered by the host');
    },
  } as unknown as BackendSrv;
}

const echoSrv = {
  addEvent: () => {},
  addBackend: () => {},
  flush: () => {},
  logDebug: () => {},
  isProfilingEnabled: () => false,
} as unknown as EchoSrv;

export function installServices() {
  initializeLoggersRegistry();
  // Grafana's boot: links and URLs learn the sub-path it is served from (config.appSubUrl) through locationUtil.
  locationUtil.initialize({
    // The runtime's config is Grafana's config; their declared types differ between packages.
    config: config as unknown as GrafanaConfig,
    getTimeRangeForUrl: () => ({ from: 'now-6h', to: 'now' }),
    getVariablesUrlParams: () => ({}),
  });
  registerStandardTransformers();
  registerStandardFieldConfig();
  setTemplateSrv(templateSrv);
  setDataSourceSrv(datasourceSrv());
  // Grafana fills it from boot data (settings.datasources).
  initDataSourceInstanceSettings({ [PROMETHEUS_SETTINGS.name]: PROMETHEUS_SETTINGS }, PROMETHEUS_SETTINGS.name);
  setDataSourcePluginImporter(async () => new DataSourcePlugin(HostPrometheusDatasource));
  setRunRequest(runRequest);
  setBackendSrv(backendSrv());
  setAppEvents(new EventBusSrv());
  setEchoSrv(echoSrv);
  setPluginImportUtils({
    importPanelPlugin: async (id: string) => {
      const plugin = PANELS.get(id);
      if (!plugin) {
        throw new Error(`the host has no panel plugin ${id}`);
      }
      return plugin;
    },
    getPanelPluginFromCache: (id: string) => PANELS.get(id),
  });
}
