// Thanos ($HEXACTF_BIN/thanos, built by scripts/install-test-tools.sh) on 127.0.0.1: a sidecar per Prometheus, and
// Query over the sidecars, the way organizers with one Prometheus per cluster put one datasource in front of them.
// No object storage: the sidecars serve what their Prometheus holds (backfilled blocks included) through its
// remote-read API, which is all Query needs.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ChildProcess } from 'node:child_process';
import { freePort } from '@hexactf/testing/ports';
import { removeTempDir, spawnLogged, stopChild, tail, tempDir } from '@hexactf/testing/processes';
import { httpStatus, promApi } from '@hexactf/testing/prom-api';
import { requiredTool } from '@hexactf/testing/tools';
import { waitFor } from '@hexactf/testing/wait';

export interface ThanosComponent {
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

export interface ThanosSidecar extends ThanosComponent {
  /** host:port of its Store API, for Query's --endpoint. */
  grpcAddress: string;
}

/** `penalty` is Thanos' default; `chain` merges the replicas' samples instead of switching between them. */
export type Deduplication = 'penalty' | 'chain';

interface Started {
  child: ChildProcess;
  dir: string;
  logFile: string;
  url: string;
  grpcAddress: string;
}

/** Spawns a thanos component with its HTTP and gRPC ports on 127.0.0.1; resolves when /-/ready answers 200. */
async function startComponent(component: string, args: string[]): Promise<Started> {
  const dir = tempDir(`hexactf-thanos-${component}-`);
  const [http, grpc] = [await freePort(), await freePort()];
  const logFile = join(dir, `${component}.log`);
  const child = spawnLogged(requiredTool('thanos'), [
    component,
    `--http-address=127.0.0.1:${http}`,
    `--grpc-address=127.0.0.1:${grpc}`,
    ...args,
  ], logFile);
  const url = `http://127.0.0.1:${http}`;
  const deadline = Date.now() + 60_000;
  while ((await httpStatus(`${url}/-/ready`)) !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = tail(logFile);
      await stopChild(child);
      removeTempDir(dir);
      throw new Error(`thanos ${component} did not become ready:\n${log}`);
    }
    await sleep(100);
  }
  return { child, dir, logFile, url, grpcAddress: `127.0.0.1:${grpc}` };
}

function stopper(s: Started): () => Promise<void> {
  return async () => {
    await stopChild(s.child);
    removeTempDir(s.dir);
  };
}

/**
 * A sidecar in front of a running Prometheus. It refuses to start unless that Prometheus' config has
 * `global.external_labels` (they tell Query which cluster / replica a series comes from). Without object storage it
 * uploads nothing, so Prometheus needs no block-duration flags.
 */
export async function startThanosSidecar(o: { prometheusUrl: string }): Promise<ThanosSidecar> {
  const s = await startComponent('sidecar', [
    `--prometheus.url=${o.prometheusUrl}`,
    '--prometheus.ready_timeout=30s',
  ]);
  return { url: s.url, logFile: s.logFile, grpcAddress: s.grpcAddress, stop: stopper(s) };
}

interface StoreInfo {
  name: string;
  lastError: string | null;
  labelSets: Array<Record<string, string>>;
}

/**
 * Query over the given Store API endpoints. `replicaLabel`: the external label that tells replicas of one cluster
 * apart, removed from answers and deduplicated by `dedup`. Resolves once every endpoint is connected and has told
 * Query its external labels (before that, Query answers without it).
 */
export async function startThanosQuery(o: { endpoints: string[]; replicaLabel?: string; dedup?: Deduplication }): Promise<ThanosComponent> {
  const s = await startComponent('query', [
    ...o.endpoints.map((e) => `--endpoint=${e}`),
    ...(o.replicaLabel ? [`--query.replica-label=${o.replicaLabel}`] : []),
    `--deduplication.func=${o.dedup ?? 'penalty'}`,
  ]);
  const stop = stopper(s);
  let stores: StoreInfo[] = [];
  try {
    await waitFor(() => `${o.endpoints.length} endpoints with external labels: ${JSON.stringify(stores)}`, async () => {
      const byType = await promApi<Record<string, StoreInfo[] | null>>(s.url, 'stores', {}, 'GET');
      stores = Object.values(byType).flatMap((list) => list ?? []);
      const up = stores.filter((st) => !st.lastError && st.labelSets.length > 0);
      return o.endpoints.every((e) => up.some((st) => st.name === e));
    }, 60_000, 200);
  } catch (err) {
    const log = tail(s.logFile);
    await stop();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return { url: s.url, logFile: s.logFile, stop };
}
