// The edge plays' cluster seen from jest (edges.jest.ts): edges-cluster.ts spawned once (as cluster-run.ts spawns
// the path test's), the EDGES-READY answer it prints once its plays are played, its teardown, and the dashboard
// variables interpolated for a time in its run.
import { resolve } from 'node:path';
import { interpolate as interpolateFrom, spawnCluster, type ClusterChild } from './cluster-run';
import type { EdgesCluster } from './edges-checkpoints';

const CLUSTER = resolve(__dirname, 'edges-cluster.ts');

/** What edges-cluster.ts played (set once it is ready, by startEdges). */
export let cluster: EdgesCluster;
let run: ClusterChild<EdgesCluster> | undefined;

/** Spawns edges-cluster.ts and resolves once its plays are played (its EDGES-READY line). */
export async function startEdges(): Promise<void> {
  run = spawnCluster<EdgesCluster>(CLUSTER, 'EDGES-READY', 'edges cluster');
  cluster = await run.ready;
}

export async function stopEdges(): Promise<void> {
  await run?.stop();
}

/** The dashboard variables for a page evaluated at `at`, its range from the edge plays' start. */
export const interpolate = (query: string, at: number) => interpolateFrom(query, at, cluster.startTime);
