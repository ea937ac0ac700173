import type { PanelData, TimeRange } from '@grafana/data';
import type { QuerySettings } from '../queries/common';
import { lastReportQuery, reportingQuery } from '../queries/heartbeat';
import type { PromQuery } from './promQuery';
import { LastAnswer } from './lastAnswer';
import { runCheck } from './checkRequest';

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

/** refIds of the check's queries. */
export const REPORTING_REF = 'hexactf-reporting';
export const LAST_REPORT_REF = 'hexactf-last-report';
export const LAST_REPORT_GAUGE_REF = 'hexactf-last-report-gauge';

/**
 * The check's instant queries for a range, in the order they are asked, each only when the ones before gave no
 * answer: is the operator reporting at the range's end (cheap; the common case ends here), its last report from the
 * Challenge controller's counter (a handful of series), from the state gauge (a series per Challenge: only when the
 * counter has nothing in the range).
 */
export function knowledgeQueries(settings: QuerySettings, range: TimeRange): PromQuery[] {
  const seconds = Math.max(1, Math.ceil((range.to.valueOf() - range.from.valueOf()) / 1000));
  const instant = (refId: string, expr: string): PromQuery => ({ refId, expr, instant: true, range: false });
  return [
    instant(REPORTING_REF, reportingQuery(settings)),
    instant(LAST_REPORT_REF, lastReportQuery(settings, seconds, 'controller')),
    instant(LAST_REPORT_GAUGE_REF, lastReportQuery(settings, seconds, 'gauge')),
  ];
}

/** The last number an answer holds, if any. */
export function valueOf(data: PanelData): number | undefined {
  for (const frame of data.series) {
    const v = frame.fields.find((field) => field.type === 'number')?.values.at(-1);
    if (typeof v === 'number' && Number.isFinite(v)) {
      return v;
    }
  }
  return undefined;
}

/**
 * Asks the check's queries in order through `ask` (one query, its answer's value or undefined) and says what the
 * answers mean. Shared by the page-level check and the path test.
 */
export async function knowledgeFrom(
  queries: PromQuery[],
  ask: (q: PromQuery) => Promise<number | undefined>
): Promise<OperatorKnowledge> {
  const [reporting, ...lastReports] = queries;
  if ((await ask(reporting)) !== undefined) {
    return { kind: 'live' };
  }
  for (const q of lastReports) {
    const since = await ask(q);
    if (since !== undefined) {
      return { kind: 'lastKnown', sinceS: since };
    }
  }
  return { kind: 'noData' };
}

/**
 * The page-level check, like the recording-rules detector: one answer per (datasource, time range, settings),
 * shared by every runner of the page and its notice, so a page asks once per run (a refresh of a relative range is a
 * new range, hence a new check; after a recovery the next run is live again by itself). Only the last key is kept.
 */
class OperatorKnowledgeCheck {
  private readonly answer = new LastAnswer<OperatorKnowledge>(UNKNOWN);

  ask(uid: string, range: TimeRange, settings: QuerySettings): Promise<OperatorKnowledge> {
    const key = JSON.stringify([uid, range.from.valueOf(), range.to.valueOf(), settings.metricName]);
    return this.answer.get(key, () => askPrometheus(uid, range, settings));
  }

  /** Forgets the answer (tests). */
  clear() {
    this.answer.clear();
  }
}

async function askPrometheus(uid: string, range: TimeRange, settings: QuerySettings): Promise<OperatorKnowledge> {
  return knowledgeFrom(knowledgeQueries(settings, range), async (target) =>
    valueOf(await runCheck(uid, 'hexactf-operator-knowledge', [target], range))
  );
}

export const operatorKnowledgeCheck = new OperatorKnowledgeCheck();
