import { lastValueFrom } from 'rxjs';
import { LoadingState, type DataQueryRequest, type PanelData, type TimeRange } from '@grafana/data';
import { getDataSourceSrv, getRunRequest } from '@grafana/runtime';
import { lastReportQuery, reportingQuery, type QuerySettings } from '../queries/common';
import type { PromQuery } from './promQuery';

/**
 * What Prometheus holds from the operator for the page's time range (docs/dashboard-semantics.md, "What the pages
 * know"):
 * - `live`: the operator reports at the range's end (its heartbeat has a sample there);
 * - `lastKnown`: it does not, and its last report within the range was at `sinceS` (Unix seconds): the window's
 *   instant queries are evaluated at that moment (`@ sinceS`), the page says so;
 * - `noData`: nothing from the operator in the range: no query is sent, the panels say "No data";
 * - `unknown`: the check could not be asked or failed: the queries run as they are, at the range's end, and no
 *   notice is shown (the check must never hide what the panels can show).
 * An operator that reports and exports no instance is `live` (the counts are 0): an empty cluster.
 */
export type OperatorKnowledge =
  { kind: 'live' } | { kind: 'lastKnown'; sinceS: number } | { kind: 'noData' } | { kind: 'unknown' };

export const UNKNOWN: OperatorKnowledge = Object.freeze({ kind: 'unknown' });

/** refIds of the two queries of the check. */
export const REPORTING_REF = 'hexactf-reporting';
export const LAST_REPORT_REF = 'hexactf-last-report';

/** The check's two instant queries for a range: is the operator reporting at its end, and when did it last report. */
export function knowledgeQueries(settings: QuerySettings, range: TimeRange): PromQuery[] {
  const seconds = Math.max(1, Math.ceil((range.to.valueOf() - range.from.valueOf()) / 1000));
  return [
    { refId: REPORTING_REF, expr: reportingQuery(settings), instant: true, range: false },
    { refId: LAST_REPORT_REF, expr: lastReportQuery(settings, seconds), instant: true, range: false },
  ];
}

/** The last number an answer holds for `refId`, if any. */
function valueOf(data: PanelData, refId: string): number | undefined {
  for (const frame of data.series.filter((f) => f.refId === refId)) {
    const v = frame.fields.find((field) => field.type === 'number')?.values.at(-1);
    if (typeof v === 'number' && Number.isFinite(v)) {
      return v;
    }
  }
  return undefined;
}

/** The knowledge an answer of knowledgeQueries gives. */
export function knowledgeOf(data: PanelData): OperatorKnowledge {
  if (data.state === LoadingState.Error || data.errors?.length) {
    return UNKNOWN;
  }
  if (valueOf(data, REPORTING_REF) !== undefined) {
    return { kind: 'live' };
  }
  const since = valueOf(data, LAST_REPORT_REF);
  return since === undefined ? { kind: 'noData' } : { kind: 'lastKnown', sinceS: since };
}

/**
 * The page-level check, like the recording-rules detector: one answer per (datasource, time range, settings),
 * shared by every runner of the page and its notice, so a page asks once per run (a refresh of a relative range is a
 * new range, hence a new check; after a recovery the next run is live again by itself). Only the last key is kept.
 */
class OperatorKnowledgeCheck {
  private last?: { key: string; answer: Promise<OperatorKnowledge> };

  ask(uid: string, range: TimeRange, settings: QuerySettings): Promise<OperatorKnowledge> {
    const key = JSON.stringify([uid, range.from.valueOf(), range.to.valueOf(), settings.metricName]);
    if (this.last?.key !== key) {
      const entry = {
        key,
        answer: askPrometheus(uid, range, settings).catch(() => {
          // A failure is not kept: the next run asks again.
          if (this.last === entry) {
            this.last = undefined;
          }
          return UNKNOWN;
        }),
      };
      this.last = entry;
    }
    return this.last.answer;
  }

  /** Forgets the answer (tests). */
  clear() {
    this.last = undefined;
  }
}

async function askPrometheus(uid: string, range: TimeRange, settings: QuerySettings): Promise<OperatorKnowledge> {
  const ds = await getDataSourceSrv().get({ uid });
  const request = {
    app: 'hexactf-operator-knowledge',
    requestId: `hexactf-operator-knowledge-${uid}`,
    targets: knowledgeQueries(settings, range),
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
    throw new Error(data.errors?.[0]?.message ?? 'operator check failed');
  }
  return knowledgeOf(data);
}

export const operatorKnowledgeCheck = new OperatorKnowledgeCheck();
