import type { PanelData, TimeRange } from '@grafana/data';
import { NO_FILTERS, clusterLabelOf, type QueryFilters, type QuerySettings } from '../queries/common';
import { lastReportQuery, reportingQuery, stoppedClustersQuery } from '../queries/heartbeat';
import { CLUSTER_FILTER } from '../settings/clusterRole';
import type { PromQuery } from './promQuery';
import { LastAnswer } from './lastAnswer';
import { runCheck } from './checkRequest';

/**
 * What Prometheus holds from the operator for the page's time range (docs/dashboard-semantics.md, "What the pages
 * know"):
 * - `live`: the operator reports at the range's end (its heartbeat has a sample there);
 * - `lastKnown`: it does not, and its last report within the range was at `sinceS` (Unix seconds): the window's
 *   instant queries are evaluated at that moment (`@ sinceS`), the page says so;
 * - `noData`: nothing from the operator in the range: no answer is shown (the queries sent beside the check are
 *   dropped), the panels say "No data";
 * - `unknown`: the check could not be asked or failed: the queries run as they are, at the range's end, and no
 *   notice is shown (the check must never hide what the panels can show).
 * An operator that reports and exports no instance is `live` (the counts are 0): an empty cluster.
 *
 * Several clusters (settings/clusterRole.ts): the check is of the clusters the cluster filter shows. While one of
 * them reports the page is `live`, and `stoppedClusters` lists the others that reported within the range, each
 * with its last report: their instances are not current, so the figures leave them out; the banner says so, and
 * the cluster filter set to one of them makes the page `lastKnown` for it (its figures at its last report).
 */
export type OperatorKnowledge =
  | { kind: 'live'; stoppedClusters?: readonly StoppedCluster[] }
  | { kind: 'lastKnown'; sinceS: number }
  | { kind: 'noData' }
  | { kind: 'unknown' };

/** A cluster whose operator stopped reporting within the range while another reports. */
export interface StoppedCluster {
  cluster: string;
  /** Its last report (Unix seconds). */
  sinceS: number;
}

export const UNKNOWN: OperatorKnowledge = Object.freeze({ kind: 'unknown' });

/** refIds of the check's queries. */
export const REPORTING_REF = 'hexactf-reporting';
export const LAST_REPORT_REF = 'hexactf-last-report';
export const LAST_REPORT_GAUGE_REF = 'hexactf-last-report-gauge';
export const STOPPED_CLUSTERS_REF = 'hexactf-stopped-clusters';

/** Only the cluster filter applies to the check (the operator is silent or not whatever the other filters). */
export const clusterFilterOf = (f: QueryFilters): QueryFilters =>
  f[CLUSTER_FILTER]?.length ? { [CLUSTER_FILTER]: f[CLUSTER_FILTER] } : NO_FILTERS;

/**
 * The check's instant queries for a range, in the order they are asked, each only when the ones before gave no
 * answer: is the operator reporting at the range's end (cheap; the common case ends here), its last report from the
 * Challenge controller's counter (a handful of series), from the state gauge (a series per Challenge: only when the
 * counter has nothing in the range).
 */
export function knowledgeQueries(settings: QuerySettings, range: TimeRange, f: QueryFilters = NO_FILTERS): PromQuery[] {
  const seconds = rangeSeconds(range);
  const clusters = clusterFilterOf(f);
  return [
    instant(REPORTING_REF, reportingQuery(settings, clusters)),
    instant(LAST_REPORT_REF, lastReportQuery(settings, seconds, 'controller', clusters)),
    instant(LAST_REPORT_GAUGE_REF, lastReportQuery(settings, seconds, 'gauge', clusters)),
  ];
}

/** The query asked while live: the clusters shown that stopped reporting within the range. */
export function stoppedClustersCheck(settings: QuerySettings, range: TimeRange, f: QueryFilters = NO_FILTERS) {
  return instant(STOPPED_CLUSTERS_REF, stoppedClustersQuery(settings, rangeSeconds(range), clusterFilterOf(f)));
}

const rangeSeconds = (range: TimeRange) => Math.max(1, Math.ceil((range.to.valueOf() - range.from.valueOf()) / 1000));
const instant = (refId: string, expr: string): PromQuery => ({ refId, expr, instant: true, range: false });

/** Each cluster of an answer of stoppedClustersQuery with its last report (samples without the label are skipped). */
export function stoppedClustersOf(data: PanelData, clusterLabel: string): StoppedCluster[] {
  const stopped: StoppedCluster[] = [];
  for (const frame of data.series) {
    const field = frame.fields.find((f) => f.type === 'number');
    const cluster = field?.labels?.[clusterLabel];
    const sinceS = field?.values.at(-1);
    if (cluster && typeof sinceS === 'number' && Number.isFinite(sinceS)) {
      stopped.push({ cluster, sinceS });
    }
  }
  return stopped.sort((a, b) => a.cluster.localeCompare(b.cluster));
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
  ask: (q: PromQuery) => Promise<number | undefined>,
  askStoppedClusters?: () => Promise<StoppedCluster[]>
): Promise<OperatorKnowledge> {
  const [reporting, ...lastReports] = queries;
  const isReporting = ask(reporting);
  // Asked beside the reporting question, not after it: a live page (the common case) waits one round trip, not two.
  const stopped = askStoppedClusters?.();
  // Not awaited when the page is not live: its failure then must not surface as an unhandled rejection.
  stopped?.catch(() => undefined);
  if ((await isReporting) !== undefined) {
    const stoppedClusters = (await stopped) ?? [];
    return stoppedClusters.length ? { kind: 'live', stoppedClusters } : { kind: 'live' };
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

  private readonly stopped = new LastAnswer<StoppedCluster[]>([]);

  ask(
    uid: string,
    range: TimeRange,
    settings: QuerySettings,
    f: QueryFilters = NO_FILTERS
  ): Promise<OperatorKnowledge> {
    return this.answer.get(checkKey(uid, range, settings, f), () => askPrometheus(uid, range, settings, f));
  }

  /**
   * The clusters shown that stopped reporting within the range, while live (stoppedClustersQuery): asked apart from
   * the check, so the page's runners, which wait for the check, do not wait for it. It reads the state gauge at every
   * subquery step, the slowest question a page asks; only the banner needs it, and the banner asks it once the page's
   * own queries have answered (OperatorStatusNotice), so it does not share Prometheus with them either.
   */
  stoppedClusters(
    uid: string,
    range: TimeRange,
    settings: QuerySettings,
    f: QueryFilters = NO_FILTERS
  ): Promise<StoppedCluster[]> {
    return this.stopped.get(checkKey(uid, range, settings, f), async () =>
      stoppedClustersOf(
        await runCheck(uid, 'hexactf-operator-knowledge', [stoppedClustersCheck(settings, range, f)], range),
        clusterLabelOf(settings)
      )
    );
  }

  /** The answer for these arguments if it has already come, without asking (a runner then needs not guess). */
  known(
    uid: string,
    range: TimeRange,
    settings: QuerySettings,
    f: QueryFilters = NO_FILTERS
  ): OperatorKnowledge | undefined {
    return this.answer.settled(checkKey(uid, range, settings, f))?.value;
  }

  /** Forgets the answer (tests). */
  clear() {
    this.answer.clear();
    this.stopped.clear();
  }
}

const checkKey = (uid: string, range: TimeRange, settings: QuerySettings, f: QueryFilters) =>
  JSON.stringify([
    uid,
    range.from.valueOf(),
    range.to.valueOf(),
    settings.metricName,
    clusterFilterOf(f)[CLUSTER_FILTER] ?? [],
  ]);

async function askPrometheus(
  uid: string,
  range: TimeRange,
  settings: QuerySettings,
  f: QueryFilters
): Promise<OperatorKnowledge> {
  const run = (target: PromQuery) => runCheck(uid, 'hexactf-operator-knowledge', [target], range);
  // Without the stopped clusters: a live page's runners go on at the reporting answer (operatorKnowledgeCheck's
  // stoppedClusters asks them for the banner).
  return knowledgeFrom(knowledgeQueries(settings, range, f), async (target) => valueOf(await run(target)));
}

export const operatorKnowledgeCheck = new OperatorKnowledgeCheck();
