import { lastValueFrom } from 'rxjs';
import { LoadingState, type DataQueryRequest, type PanelData, type TimeRange } from '@grafana/data';
import { getDataSourceSrv, getRunRequest } from '@grafana/runtime';
import type { PromQuery } from './promQuery';

/**
 * Sends a page-level check (the operator check, the recording rules detector) to datasource `uid` through Grafana's
 * runRequest, outside any panel, and answers its data; a failed answer throws, so the check's caller can fall back.
 */
export async function runCheck(uid: string, app: string, targets: PromQuery[], range: TimeRange): Promise<PanelData> {
  const ds = await getDataSourceSrv().get({ uid });
  const request = {
    app,
    requestId: `${app}-${uid}-${targets.map((t) => t.refId).join('-')}`,
    targets,
    range,
    interval: '1m',
    intervalMs: 60_000,
    maxDataPoints: 1,
    scopedVars: {},
    timezone: 'browser',
    startTime: Date.now(),
  } as DataQueryRequest<PromQuery>;
  const data: PanelData = await lastValueFrom(getRunRequest()(ds, request));
  if (data.state === LoadingState.Error || data.errors?.length) {
    throw new Error(data.errors?.[0]?.message ?? `${app} failed`);
  }
  return data;
}
