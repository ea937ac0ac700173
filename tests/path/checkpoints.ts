// What the cluster half of the path test (cluster.ts) records and hands to path.jest.ts on its PATH-READY line: the
// cluster's truth at each checkpoint, what the operator pod counted meanwhile, and the original operator's stand-in's
// checkpoints.
import type { LifecycleExposition } from './lifecycle-exposition.ts';
import type { OriginalInstance } from './original-operator.ts';

export interface TruthRow {
  challengeId: string;
  user: string;
  name: string;
  namespace: string;
  definition: string;
  state: string;
  value: number;
}

export interface Checkpoint {
  step: string;
  /** When to evaluate (Unix seconds). */
  at: number;
  /** What the cluster holds (for a checkpoint while the operator is down: what it held when it was last reporting). */
  truth: TruthRow[];
  /** false: the operator was down; the pages must say so and show the last known state. */
  reporting: boolean;
  /** While down: the last known state held from stableFrom until killedAt (Unix seconds). */
  stableFrom?: number;
  killedAt?: number;
  /** While reporting: what the running operator pod counted since it started, and the truth of that time. */
  lifecycle?: PodLifecycle;
}

/**
 * What players and the cluster did while one operator pod ran, as the apiserver showed it: the truth the operator's
 * lifecycle metrics must count.
 */
export interface LifecycleTruth {
  /** Challenges created (each got a first state). */
  opened: number;
  /** Challenges seen entering Error. */
  failed: number;
  /** Per namespace/definition: seconds from Pending to Running of each instance seen Running (its status' times). */
  timeToRunning: Record<string, number[]>;
  /**
   * Per namespace/definition: each instance whose deletion the operator finished (its finalizer, not an organiser),
   * the bounds of its lifetime: [deletion asked, seen gone (+1 s)] minus its creationTimestamp, in seconds.
   */
  lifetimes: Record<string, Array<[number, number]>>;
}

export interface PodLifecycle {
  /** Unix seconds before the pod's first observation and after the previous pod's last sample: a page range from here holds this pod only. */
  since: number;
  truth: LifecycleTruth;
  /** The pod's /metrics at the checkpoint (every Prometheus server scraped these values). */
  exposition: LifecycleExposition;
}

export const noLifecycle = (): LifecycleTruth => ({ opened: 0, failed: 0, timeToRunning: {}, lifetimes: {} });

/** What the original operator's stand-in exported, per step, and what its Prometheus must answer. */
export interface OriginalCheckpoint {
  step: string;
  at: number;
  /** Instances the pages must show, with their state. */
  shown: Array<OriginalInstance & { value: number }>;
  /** Instances that still run but that it no longer exports (lost in its restart): on no page. */
  lost: OriginalInstance[];
}
