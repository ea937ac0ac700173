/**
 * Renders the app's scenes in jsdom. Grafana itself cannot run here, so the harness stands in for the parts of it
 * a plugin reaches through @grafana/runtime's setters: the datasource service (Prometheus datasources of a test's
 * choosing), runRequest (records every request and answers with the test's frames), the panel plugins (small
 * panels that print what a real one would show: each field's display name and the display text of its values)
 * and the browser observers jsdom lacks. Scenes, variables, interpolation, transformations, field config and value
 * mappings are the real ones.
 */
import React from 'react';
import { act, render, type RenderResult } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { of } from 'rxjs';
import {
  DataSourceApi,
  locationUtil,
  type GrafanaConfig,
  FieldType,
  LoadingState,
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type PanelData,
  type ScopedVars,
} from '@grafana/data';
import { config, setDataSourceSrv, setRunRequest, type DataSourceSrv } from '@grafana/runtime';
import { VizPanel, sceneGraph, type SceneObject } from '@grafana/scenes';
import type { DataSourceRef } from '@grafana/schema';
import { DEFAULT_LABELS, LEGACY_CHALLENGE_ID_LABEL } from '../metric/contract';
import {
  LAST_REPORT_GAUGE_REF,
  LAST_REPORT_REF,
  REPORTING_REF,
  STOPPED_CLUSTERS_REF,
  operatorKnowledgeCheck,
} from '../data/operatorKnowledge';
import { DEFAULT_SETTINGS, type ResolvedSettings } from '../settings/settings';
import { installPanelPlugins } from './printed-panels';
import { registerStandardTransformers } from './register-transformers';

export {
  panelSection,
  printedCells,
  printedColor,
  printedDisplayValues,
  printedNoData,
  printedRows,
  printedSeriesColors,
} from './printed';

// A page renders dozens of scene objects and panels; on a busy 2-core machine that can take seconds.
jest.setTimeout(30_000);

import './jsdom-observers';

// ---------------------------------------------------------------------------------------------------------------
// datasources

export interface PrometheusStub {
  uid: string;
  name: string;
}

/**
 * The text queries.ts builds for each instance's state in the window's views (docs/dashboard-semantics.md): its
 * current state, or Deleted when that was its last state within the window. For tests that pin the query text.
 */
export const viewStatesText = (by: string, selector: string, window: string) =>
  `((max by (${by}) (round(timestamp(${selector}) * 1000) * 4 + (${selector} >= 0 < 4)) % 4) ` +
  `or max by (${by}) (last_over_time(${selector}[${window}]) == 2))`;

/** The 0 of a count while the operator reports (src/queries/heartbeat.ts, zeroWhileReporting), default names. */
export const REPORTING_ZERO =
  '(0 * group(challenge_resource_status or (controller_runtime_reconcile_total{controller="challenge"} unless ignoring (controller, result, name) (leader_election_master_status == 0))))';

/** The original HexaCTF operator's label spelling (challeng_id), every other setting at its default. */
export const LEGACY_SETTINGS: ResolvedSettings = {
  ...DEFAULT_SETTINGS,
  labels: { ...DEFAULT_LABELS, challengeId: LEGACY_CHALLENGE_ID_LABEL },
};

export const TEST_PROMETHEUS: PrometheusStub = { uid: 'hexactf-prometheus', name: 'Prometheus' };

function instanceSettings({ uid, name }: PrometheusStub): DataSourceInstanceSettings {
  return {
    id: 1,
    uid,
    name,
    type: 'prometheus',
    access: 'proxy',
    readOnly: false,
    jsonData: {},
    meta: { id: 'prometheus', name: 'Prometheus', type: 'datasource', metrics: true, module: '', baseUrl: '' },
  } as unknown as DataSourceInstanceSettings;
}

/** A query a panel sent, with its expr as the Prometheus datasource would interpolate it. */
export interface SentQuery {
  /** key of the query runner that sent it (the pages set them). */
  runner: string;
  datasourceUid: string;
  refId: string;
  expr: string;
  instant?: boolean;
  range?: boolean;
  format?: string;
  legendFormat?: string;
}

/** A label-values lookup a filter variable made (interpolated). */
export interface SentVariableQuery {
  datasourceUid: string;
  query: string;
}

/**
 * Interpolates variables the way Grafana's template service does for a scene's request. The Prometheus
 * datasource's own variables (`$__rate_interval`, `$__range`) stay as they are: the datasource fills them in.
 */
function interpolate(text: string, scopedVars?: ScopedVars): string {
  const sceneObject = scopedVars?.__sceneObject?.value?.valueOf() as SceneObject | undefined;
  return sceneObject ? sceneGraph.interpolate(sceneObject, text, scopedVars) : text;
}

/** The stand-in Prometheus datasource instance: only the variable lookup is called (runRequest is replaced). */
class PrometheusStubApi extends DataSourceApi {
  constructor(
    settings: DataSourceInstanceSettings,
    private readonly harness: SceneHarness
  ) {
    super(settings);
  }
  query(): never {
    throw new Error('queries go through runRequest');
  }
  testDatasource() {
    return Promise.resolve({ status: 'success', message: '' });
  }
  async metricFindQuery(query: { query: string } | string, options?: { scopedVars?: ScopedVars }) {
    const text = interpolate(typeof query === 'string' ? query : query.query, options?.scopedVars);
    this.harness.variableQueries.push({ datasourceUid: this.uid, query: text });
    const label = /,\s*([a-zA-Z_][a-zA-Z0-9_]*)\)\s*$/.exec(text)?.[1] ?? '';
    await this.harness.labelValuesAnswered;
    return (this.harness.labelValues[label] ?? []).map((value) => ({ text: value, value }));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// the harness

export type Responder = (query: SentQuery) => DataFrame[];

export interface SceneHarness {
  queries: SentQuery[];
  variableQueries: SentVariableQuery[];
  /** Values the filter variables' label_values lookups return, by label name. */
  labelValues: Record<string, string[]>;
  /** The label_values lookups answer once this has resolved (a slow Prometheus); undefined: at once. */
  labelValuesAnswered?: Promise<void>;
  /** Frames for each query (default: none, i.e. Prometheus returned no series); throw to fail that query. */
  respond: Responder;
  /**
   * What the stand-in Prometheus holds from the operator: how it answers the page-level operator check
   * (src/data/operatorKnowledge.ts). Default live: the operator reports at the range's end.
   */
  operator:
    | { kind: 'live'; stoppedClusters?: ReadonlyArray<{ cluster: string; sinceS: number }> }
    | { kind: 'lastKnown'; sinceS: number }
    | { kind: 'noData' };
}

/** The stand-in's answer to the operator check's queries; undefined for every other query. */
function operatorCheckAnswer(harness: SceneHarness, q: SentQuery, toMs: number): DataFrame[] | undefined {
  const o = harness.operator;
  if (q.refId === STOPPED_CLUSTERS_REF) {
    // One sample per stopped cluster, labelled with the (default) cluster label, valued with its last report.
    const stopped = o.kind === 'live' ? (o.stoppedClusters ?? []) : [];
    return stopped.map(({ cluster, sinceS }) => labelledNumberFrame(q.refId, sinceS, { cluster }, toMs));
  }
  if (![REPORTING_REF, LAST_REPORT_REF, LAST_REPORT_GAUGE_REF].includes(q.refId)) {
    return undefined;
  }
  if (o.kind === 'noData' || (o.kind === 'lastKnown' && q.refId === REPORTING_REF)) {
    return [];
  }
  const value = q.refId === REPORTING_REF ? 1 : o.kind === 'lastKnown' ? o.sinceS : Math.floor(toMs / 1000);
  return [instantNumberFrame(q.refId, value, toMs)];
}

/**
 * Installs the stand-ins for this test file. `datasources`: the Prometheus datasources Grafana has (none for the
 * no-datasource state).
 */
export function setupHarness(datasources: PrometheusStub[] = [TEST_PROMETHEUS]): SceneHarness {
  registerStandardTransformers();
  // What Grafana's boot does: links learn the sub-path Grafana is served from (config.appSubUrl) from locationUtil.
  locationUtil.initialize({
    // The runtime's config is Grafana's config; their declared types differ between packages.
    config: config as unknown as GrafanaConfig,
    getTimeRangeForUrl: () => ({ from: 'now-6h', to: 'now' }),
    getVariablesUrlParams: () => ({}),
  });
  const harness: SceneHarness = {
    queries: [],
    variableQueries: [],
    labelValues: {},
    respond: () => [],
    operator: { kind: 'live' },
  };
  // The page-level check is shared by the runners of a page; each test's stand-in answers it afresh.
  operatorKnowledgeCheck.clear();
  const settings = datasources.map(instanceSettings);
  const instances = new Map(settings.map((s) => [s.uid, new PrometheusStubApi(s, harness)]));

  const resolveUid = (ref: DataSourceRef | string | null | undefined, scopedVars?: ScopedVars) => {
    const raw = typeof ref === 'string' ? ref : ref?.uid;
    return raw ? interpolate(raw, scopedVars) : settings[0]?.uid;
  };
  const srv: DataSourceSrv = {
    get: async (ref, scopedVars) => {
      const ds = instances.get(resolveUid(ref, scopedVars) ?? '');
      if (!ds) {
        throw new Error(`datasource ${JSON.stringify(ref)} not found`);
      }
      return ds;
    },
    getList: (filters) => settings.filter((s) => !filters?.type || s.type === filters.type),
    getInstanceSettings: (ref, scopedVars) => settings.find((s) => s.uid === resolveUid(ref, scopedVars)),
    reload: async () => {},
    registerRuntimeDataSource: () => {},
  };
  setDataSourceSrv(srv);

  setRunRequest((ds: DataSourceApi, request: DataQueryRequest) => {
    const runner = (request.scopedVars.__sceneObject?.value?.valueOf() as SceneObject | undefined)?.state.key ?? '';
    const series: DataFrame[] = [];
    const errors: DataQueryError[] = [];
    for (const target of request.targets as Array<DataQueryRequest['targets'][number] & Record<string, unknown>>) {
      const sent: SentQuery = {
        runner,
        datasourceUid: ds.uid,
        refId: target.refId,
        expr: interpolate(String(target.expr), request.scopedVars),
        instant: target.instant as boolean | undefined,
        range: target.range as boolean | undefined,
        format: target.format as string | undefined,
        legendFormat: target.legendFormat as string | undefined,
      };
      harness.queries.push(sent);
      try {
        series.push(...(operatorCheckAnswer(harness, sent, request.range.to.valueOf()) ?? harness.respond(sent)));
      } catch (error) {
        // A responder throws for a query Prometheus rejects: Grafana reports it as that query's error.
        errors.push({ refId: target.refId, message: error instanceof Error ? error.message : String(error) });
      }
    }
    // Grafana's runRequest stamps the request's end once the response is complete.
    request.endTime = Date.now();
    const data: PanelData = {
      state: errors.length > 0 ? LoadingState.Error : LoadingState.Done,
      series,
      ...(errors.length > 0 ? { errors } : {}),
      timeRange: request.range,
      request,
    };
    return of(data);
  });

  installPanelPlugins();
  return harness;
}

/** React Router 7's behaviour, which Grafana opts into (and which silences the warnings about it). */
export const ROUTER_FUTURE = { v7_startTransition: true, v7_relativeSplatPath: true };

/** Renders a scene object and lets its variables, queries and panels settle. */
export async function renderScene(scene: SceneObject): Promise<RenderResult> {
  let result: RenderResult | undefined;
  await act(async () => {
    // Grafana renders app pages inside its router (links need one).
    result = render(
      <MemoryRouter future={ROUTER_FUTURE}>
        <scene.Component model={scene} />
      </MemoryRouter>
    );
  });
  await settle();
  return result!;
}

/** Lets pending promises, timers of 0 ms and React updates run. */
export async function settle(rounds = 5) {
  for (let i = 0; i < rounds; i++) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
  }
}

/** The queries one runner sent last (a runner sends all its queries in one request). */
export function lastQueriesOf(harness: SceneHarness, runner: string): SentQuery[] {
  const mine = harness.queries.filter((q) => q.runner === runner);
  const refIds = new Set(mine.map((q) => q.refId));
  return [...refIds].map((refId) => mine.filter((q) => q.refId === refId).at(-1)!);
}

/** The VizPanel titled `title` in a scene. */
export function panelTitled(scene: SceneObject, title: string): VizPanel {
  const found = sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel && o.state.title === title);
  if (found.length !== 1) {
    throw new Error(`expected one panel titled ${title}, found ${found.length}`);
  }
  return found[0] as VizPanel;
}

/** A one-sample instant frame as the Prometheus datasource returns it for an unlabelled series. */
/** An instant answer of one labelled sample (the labels on the value field, as Grafana's Prometheus frames carry them). */
export function labelledNumberFrame(
  refId: string,
  value: number,
  labels: Record<string, string>,
  timeMs = 1_700_000_000_000
): DataFrame {
  const frame = instantNumberFrame(refId, value, timeMs);
  return { ...frame, fields: [frame.fields[0], { ...frame.fields[1], labels }] };
}

export function instantNumberFrame(refId: string, value: number, timeMs = 1_700_000_000_000): DataFrame {
  return {
    refId,
    length: 1,
    fields: [
      { name: 'Time', type: FieldType.time, config: {}, values: [timeMs] },
      { name: 'Value', type: FieldType.number, config: {}, values: [value] },
    ],
  };
}
