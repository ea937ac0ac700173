import React from 'react';
import {
  SceneObjectBase,
  SceneQueryRunner,
  VariableDependencyConfig,
  sceneGraph,
  type SceneComponentProps,
  type SceneObject,
  type SceneObjectState,
} from '@grafana/scenes';
import { Alert } from '@grafana/ui';
import { LoadingState, dateTime } from '@grafana/data';
import type { QuerySettings } from '../../queries/common';
import { PROMETHEUS_DS_REF } from '../../data/datasource';
import { operatorKnowledgeCheck, type OperatorKnowledge, type StoppedCluster } from '../../data/operatorKnowledge';
import { readFilters } from '../../data/filters';
import { CLUSTER_FILTER } from '../../settings/clusterRole';
import { DS_VARIABLE } from './variables';
import { ClusterVariable } from './clusterVariable';

interface OperatorStatusState extends SceneObjectState {
  /** What the page's last run knew of the operator; undefined before the first answer. */
  knowledge?: OperatorKnowledge;
  /** The range it was asked for (ms), for the no-data notice. */
  fromMs?: number;
  toMs?: number;
}

export const formatTime = (ms: number) => dateTime(ms).format('YYYY-MM-DD HH:mm:ss');

/** The banner's title while the state is last known. */
export const stoppedTitle = (sinceS: number) =>
  `The Challenge operator stopped reporting at ${formatTime(sinceS * 1000)}`;
/** A banner line's title for one cluster that stopped reporting while another reports. */
export const clusterStoppedTitle = (cluster: string, sinceS: number) =>
  `Cluster ${cluster} stopped reporting at ${formatTime(sinceS * 1000)}`;
/** The notice's title while Prometheus holds nothing from the operator for the range. */
export const NO_DATA_TITLE = 'No data from the Challenge operator in this time range';

/**
 * Says on every page what Prometheus knows of the operator for the page's time range (docs/dashboard-semantics.md,
 * "What the pages know"): nothing while it reports at the range's end (live); a banner when it stopped reporting
 * inside the range (last known: the window's figures are those of that moment, the page's runners evaluate them
 * there); a notice when there is nothing from it in the range (no data: the panels say so, never 0). It asks the
 * same page-level check the runners wait for (one request per run), for the page's own time range, which it never
 * moves.
 */
export class OperatorStatusNotice extends SceneObjectBase<OperatorStatusState> {
  static Component = OperatorStatusRenderer;

  protected _variableDependency = new VariableDependencyConfig(this, {
    variableNames: [DS_VARIABLE, CLUSTER_FILTER],
    onReferencedVariableValueChanged: () => this.check(),
  });

  /** Counts checks, so an older answer does not overwrite a newer one. */
  private checks = 0;

  constructor(private readonly settings: QuerySettings) {
    super({});
    this.addActivationHandler(() => {
      this.check();
      const sub = sceneGraph.getTimeRange(this).subscribeToState(() => this.check());
      return () => sub.unsubscribe();
    });
  }

  /** Asks the page-level check for the current range (shared with the runners: one request). */
  public check() {
    const check = ++this.checks;
    const uid = sceneGraph.interpolate(this, PROMETHEUS_DS_REF.uid);
    if (!uid || uid === PROMETHEUS_DS_REF.uid || this._variableDependency.hasDependencyInLoadingState()) {
      return;
    }
    const range = sceneGraph.getTimeRange(this).state.value;
    const filters = readFilters(this);
    const current = () => check === this.checks && this.isActive;
    void operatorKnowledgeCheck.ask(uid, range, this.settings, filters).then(async (knowledge) => {
      if (!current()) {
        return;
      }
      this.setState({ knowledge, fromMs: range.from.valueOf(), toMs: range.to.valueOf() });
      if (knowledge.kind !== 'live') {
        return;
      }
      // Live: which clusters shown stopped within the range, asked once the page's own queries have answered, and
      // only when there are several clusters to tell apart (the question reads the gauge at every step).
      await afterPageQueries(this);
      const stoppedClusters =
        current() && severalClusters(this) !== false
          ? await operatorKnowledgeCheck.stoppedClusters(uid, range, this.settings, filters)
          : [];
      if (current() && stoppedClusters.length) {
        this.setState({ knowledge: { kind: 'live', stoppedClusters } });
      }
    });
  }
}

/** What the page's cluster filter offers: several clusters, one or none (false), or not known yet (undefined). */
function severalClusters(model: SceneObject): boolean | undefined {
  const variable = sceneGraph.lookupVariable(CLUSTER_FILTER, model);
  return variable instanceof ClusterVariable ? variable.severalClusters() : undefined;
}

/** How long the banner's stopped-clusters question waits at most for the page's queries (ms). */
export const PAGE_QUERIES_WAIT_MS = 5000;

/**
 * Resolves once every active query runner of the page holds an answer that is not loading (after the runners have
 * had a tick to start), or after `maxWaitMs`.
 */
export async function afterPageQueries(model: SceneObject, maxWaitMs = PAGE_QUERIES_WAIT_MS): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  const runners = (
    sceneGraph.findAllObjects(model.getRoot(), (o) => o instanceof SceneQueryRunner) as SceneQueryRunner[]
  ).filter((r) => r.isActive);
  const busy = () => runners.some((r) => !r.state.data || r.state.data.state === LoadingState.Loading);
  if (!busy()) {
    return;
  }
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      subs.forEach((sub) => sub.unsubscribe());
      resolve();
    };
    const timer = setTimeout(done, maxWaitMs);
    const subs = runners.map((r) =>
      r.subscribeToState(() => {
        if (!busy()) {
          done();
        }
      })
    );
  });
}

function OperatorStatusRenderer({ model }: SceneComponentProps<OperatorStatusNotice>) {
  const { knowledge, fromMs, toMs } = model.useState();
  if (knowledge?.kind === 'lastKnown') {
    const when = formatTime(knowledge.sinceS * 1000);
    return (
      <Alert severity="error" title={stoppedTitle(knowledge.sinceS)}>
        Prometheus has no report from the operator after {when} in this time range: its scrape target went down or away,
        or it was removed. The counts, the matrix and the other figures of the window show the last known state, as of{' '}
        {when}, not the cluster as it is at the end of the range; the time range itself is unchanged. Instances created,
        deleted or failed after that are not in them.
      </Alert>
    );
  }
  if (knowledge?.kind === 'live' && knowledge.stoppedClusters?.length) {
    return <StoppedClusters clusters={knowledge.stoppedClusters} />;
  }
  if (knowledge?.kind === 'noData') {
    const range =
      fromMs !== undefined && toMs !== undefined ? ` between ${formatTime(fromMs)} and ${formatTime(toMs)}` : '';
    return (
      <Alert severity="warning" title={NO_DATA_TITLE}>
        Prometheus holds nothing from the operator{range}: neither its state gauge nor its controller metrics (a fresh
        install, another datasource, a range before the event, or one past the retention). The panels say No data: this
        is not an empty cluster.
      </Alert>
    );
  }
  return null;
}

/**
 * One banner line per cluster whose operator stopped reporting while another reports (docs/dashboard-semantics.md):
 * the page is live for the others; the stopped cluster's instances are not in the figures.
 */
function StoppedClusters({ clusters }: { clusters: readonly StoppedCluster[] }) {
  return (
    <>
      {clusters.map(({ cluster, sinceS }) => (
        <Alert key={cluster} severity="error" title={clusterStoppedTitle(cluster, sinceS)}>
          Prometheus has no report from the operator of cluster {cluster} after {formatTime(sinceS * 1000)} in this time
          range. The figures show the clusters that report now: cluster {cluster}&apos;s instances are not counted as
          current. Set the Cluster filter to {cluster} to see its last known state, as of {formatTime(sinceS * 1000)}.
        </Alert>
      ))}
    </>
  );
}
