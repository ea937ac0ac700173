// Refusals that mean the cluster has no room for one more instance, told apart from other failures so the
// Challenge goes to an Error that says so instead of retrying: the namespace's ResourceQuota is used up (the chart's
// challengeResources.quota: Services, node ports, pods, CPU, memory) or the node-port range itself is full (the
// apiserver answers that with a 500, which would otherwise be retried until --pending-timeout). The pods are
// created by the ReplicaSet controller, not the operator: a Deployment whose pods the quota refuses says so in its
// ReplicaFailure condition.
import { apiError } from '../kube/errors.ts';

export interface CapacityRefusal {
  /** The Ready reason: NamespaceQuotaExceeded or NodePortsExhausted. */
  reason: string;
  /** What to add to the message, for organizers. */
  hint: string;
}

const QUOTA = /exceeded quota/i;
const NODE_PORTS = /failed to allocate a nodePort|nodePort.*range is full/i;

/** The refusal's capacity reason, or undefined when the failure is something else. */
export function capacityRefusal(err: unknown): CapacityRefusal | undefined {
  const { code, message } = apiError(err);
  if (code === 403 && QUOTA.test(message)) {
    const nodePorts = /services\.nodeports/.test(message);
    return {
      reason: nodePorts ? 'NodePortsExhausted' : 'NamespaceQuotaExceeded',
      hint: nodePorts
        ? "the namespace's ResourceQuota allows no more NodePort Services (services.nodeports)"
        : "the namespace's ResourceQuota is used up",
    };
  }
  if (code >= 500 && NODE_PORTS.test(message)) {
    return { reason: 'NodePortsExhausted', hint: "the cluster's node-port range is full" };
  }
  return undefined;
}

/** The message of a Deployment's ReplicaFailure condition when its pods are refused by the quota. */
export function replicaFailureForRoom(conditions: unknown): string | undefined {
  if (!Array.isArray(conditions)) {
    return undefined;
  }
  const c = conditions.find((x) => x?.type === 'ReplicaFailure' && x?.status === 'True');
  return typeof c?.message === 'string' && QUOTA.test(c.message) ? c.message : undefined;
}
