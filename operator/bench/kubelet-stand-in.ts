/**
 * The workload bench's kubelet and garbage collector, which the test control plane lacks: each new Deployment is
 * reported available after `delayMs`, or gets a pod waiting in ErrImagePull when `fails(challenge)` says so; a
 * deleted Deployment's pods are deleted. Lists, then watches from there; a watch the apiserver ends (timeout,
 * overload) is started again the same way.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, Watch, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import type { ChallengeClient } from '@hexactf/testing/challenge-client';
import { ANNOTATION_CHALLENGE } from '../src/api/types.ts';

export interface KubeletStandIn {
  errors(): number;
  watchRestarts(): number;
  stop(): void;
}

export async function startKubeletStandIn(
  kc: KubeConfig,
  client: ChallengeClient,
  namespace: string,
  delayMs: number,
  fails: (challenge: string) => boolean
): Promise<KubeletStandIn> {
  const apps = kc.makeApiClient(AppsV1Api);
  const handled = new Set<string>();
  let errors = 0;
  let restarts = 0;
  let stopped = false;
  let req: AbortController | undefined;
  const standIn = async (d: V1Deployment) => {
    const name = d.metadata!.name!;
    const challenge =
      d.metadata!.annotations?.[ANNOTATION_CHALLENGE] ?? d.spec?.template.metadata?.annotations?.[ANNOTATION_CHALLENGE];
    if (handled.has(name) || !challenge) {
      return;
    }
    handled.add(name);
    await sleep(delayMs);
    if (fails(challenge)) {
      await client.createWaitingPod(d, 'ErrImagePull', 'not found');
    } else {
      await client.markAvailable(d);
    }
  };
  const watch = new Watch(kc);
  const watchDeployments = async (): Promise<void> => {
    if (stopped) {
      return;
    }
    try {
      const list = await apps.listNamespacedDeployment({ namespace });
      for (const d of list.items) {
        standIn(d).catch(() => errors++);
      }
      req = await watch.watch(
        `/apis/apps/v1/namespaces/${namespace}/deployments`,
        { resourceVersion: list.metadata?.resourceVersion },
        (type, obj: V1Deployment) => {
          if (type === 'ADDED') {
            standIn(obj).catch(() => errors++);
          } else if (type === 'DELETED') {
            client.collectPodsOf(obj.metadata!.name!).catch(() => errors++);
          }
        },
        () => {
          restarts++;
          setTimeout(() => void watchDeployments(), 200);
        }
      );
    } catch {
      restarts++;
      setTimeout(() => void watchDeployments(), 500);
    }
  };
  await watchDeployments();
  return {
    errors: () => errors,
    watchRestarts: () => restarts,
    stop: () => {
      stopped = true;
      req?.abort();
    },
  };
}
