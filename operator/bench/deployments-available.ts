// The Deployment controller and kubelet the test control plane lacks, at bench scale: every Deployment of a
// namespace reported available, with the operator's keep-alive client and a bounded number in flight (the
// workload bench's stand-in, bench/kubelet-stand-in.ts, opens a connection per request: fine at 10 a second, not
// for 10,000 at once). `markAvailable` is the one status write, also used by bench/kubelet-at-scale.ts, which
// marks each Deployment as it appears; `markDeploymentsAvailable` marks those that exist, all at once.
import type { RestClient } from '../src/kube/rest.ts';
import { ANNOTATION_CHALLENGE } from '../src/api/types.ts';
import { pool } from '../test/stress/support.ts';

export interface Deployment {
  metadata: { name: string; generation?: number; creationTimestamp?: string; annotations?: Record<string, string> };
  spec?: { replicas?: number; template?: { metadata?: { annotations?: Record<string, string> } } };
}

export const deploymentsPath = (namespace: string) => `/apis/apps/v1/namespaces/${namespace}/deployments`;

/** The Challenge a Deployment belongs to (its annotation), if any. */
export function challengeOf(d: Deployment): string | undefined {
  return (
    d.metadata.annotations?.[ANNOTATION_CHALLENGE] ?? d.spec?.template?.metadata?.annotations?.[ANNOTATION_CHALLENGE]
  );
}

/** Reports every replica of `d` updated, ready and available for its generation, as a kubelet would. */
export async function markAvailable(rest: RestClient, namespace: string, d: Deployment): Promise<void> {
  const n = d.spec?.replicas ?? 1;
  await rest.request('PATCH', `${deploymentsPath(namespace)}/${d.metadata.name}/status`, {
    body: {
      status: {
        observedGeneration: d.metadata.generation,
        replicas: n,
        updatedReplicas: n,
        readyReplicas: n,
        availableReplicas: n,
      },
    },
    contentType: 'application/merge-patch+json',
  });
}

/** Marks the Deployments there are now; returns when each Challenge's was marked (performance.now()). */
export async function markDeploymentsAvailable(
  rest: RestClient,
  namespace: string,
  inFlight = 50
): Promise<Map<string, number>> {
  const list = await rest.request<{ items: Deployment[] }>('GET', deploymentsPath(namespace));
  const markedAt = new Map<string, number>();
  await pool(list.items, inFlight, async (d) => {
    await markAvailable(rest, namespace, d);
    const challenge = challengeOf(d);
    if (challenge) {
      markedAt.set(challenge, performance.now());
    }
  });
  return markedAt;
}
