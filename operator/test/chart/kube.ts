// Helpers for the chart tests that talk to the real test apiserver.
import { resolve } from 'node:path';
import { retryTooManyRequests } from '../../demo/api-calls.ts';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
} from '@kubernetes/client-node';

export const monitoringCrdDir = resolve(import.meta.dirname, 'fixtures/monitoring-crds');

/** Server-side dry run of a create: the apiserver validates and admits the object but stores nothing. */
export async function dryRunCreate(kc: KubeConfig, obj: KubernetesObject): Promise<KubernetesObject> {
  return retryTooManyRequests(() => KubernetesObjectApi.makeApiClient(kc).create(obj, undefined, 'All'));
}

export async function create(kc: KubeConfig, obj: KubernetesObject): Promise<KubernetesObject> {
  return retryTooManyRequests(() => KubernetesObjectApi.makeApiClient(kc).create(obj));
}

export function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** A kubeconfig that talks to the same apiserver as kc but as the ServiceAccount, through a TokenRequest token. */
export async function serviceAccountKubeConfig(kc: KubeConfig, namespace: string, name: string): Promise<KubeConfig> {
  const core = kc.makeApiClient(CoreV1Api);
  const tr = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = kc.getCurrentCluster()!;
  const sa = new KubeConfig();
  sa.loadFromOptions({
    clusters: [cluster],
    users: [{ name: `${namespace}-${name}`, token: tr.status!.token }],
    contexts: [{ name: 'sa', cluster: cluster.name, user: `${namespace}-${name}` }],
    currentContext: 'sa',
  });
  return sa;
}
