// What the cluster half of the edge plays (edges-cluster.ts) records and hands to edges.jest.ts on its EDGES-READY
// line: a checkpoint per step of each play, the spans around each handover in which the cluster did not change, and
// the scrape job's names before and after the rename.
import type { Checkpoint, TruthRow } from './checkpoints.ts';
import { OPERATOR_NS } from './operator-process.ts';
import { JOB } from './scraping.ts';

/**
 * The scrape job's names before and after the rename: a static config replaced by the chart's ServiceMonitor, whose
 * job Prometheus Operator names so and applies by a config reload.
 */
export const EDGE_JOBS = [JOB, `serviceMonitor/${OPERATOR_NS}/challenge-operator/0`] as const;

export type Play = 'handover' | 'teardown' | 'rename';

/** A span in which the cluster did not change: every step of the over-time panel holds these counts, or nothing. */
export interface QuietSpan {
  what: string;
  from: number;
  to: number;
  truth: TruthRow[];
}

export interface EdgesCluster {
  prometheus: Record<string, string>;
  checkpoints: Array<Checkpoint & { play: Play }>;
  spans: QuietSpan[];
  startTime: number;
  jobs: readonly string[];
}
