// The Deployment controller and kubelet the test control plane lacks, at bench scale: every Deployment of a
// namespace reported available, with the operator's keep-alive client and a bounded number in flight (the
// workload bench's stand-in, bench/kubelet-stand-in.ts, opens a connection per request: fine at 10 a second, not
// for 10,000 at once). Returns when each Challenge's Deployment was marked (performance.now()).
import type { RestClient } from '../src/kube/rest.ts';
import { ANNOTATION_CHALLENGE } from '../src/api/types.ts';
import { pool } from '../test/stress/support.ts';

interface Deployment {
  metadata: { name: string; generation?: number; annotations?: Record<string, string> };
  spec?: { replicas?: number; template?: { metadata?: { annotations?: Record<string, string> } } };
}

export async function markDeploymentsAvailable(
  rest: RestClient,
  namespace: string,
  inFlight = 50
): Promise<Map<string, number>> {
  const path = `/apis/apps/v1/namespaces/${namespace}/deployments`;
  const list = await rest.request<{ items: Deployment[] }>('GET', path);
  const markedAt = new Map<string, number>();
  await pool(list.items, inFlight, async (d) => {
    const n = d.spec?.replicas ?? 1;
    await rest.request('PATCH', `${path}/${d.metadata.name}/status`, {
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
    const challenge =
      d.metadata.annotations?.[ANNOTATION_CHALLENGE] ?? d.spec?.template?.metadata?.annotations?.[ANNOTATION_CHALLENGE];
    if (challenge) {
      markedAt.set(challenge, performance.now());
    }
  });
  return markedAt;
}
