// The Service rules of the child policy (child-policy.ts): which fields of a Service a definition may set. Allocation
// details (clusterIP, nodePorts) and the selector are the operator's; LoadBalancer only with --allow-load-balancer.
import {
  DEFAULT_POLICY,
  fields,
  isObject,
  listOf,
  metadataMap,
  never,
  NOT_LISTED,
  plain,
  refuse,
  type ChildPolicy,
} from './child-policy.ts';

const SERVICE_TYPES = new Set(['ClusterIP', 'NodePort', 'LoadBalancer']);

const servicePort = fields({
  name: plain,
  port: plain,
  protocol: plain,
  targetPort: plain,
  appProtocol: plain,
  nodePort: () => undefined, // allocated per instance by the apiserver: a fixed one would collide between users
});

const serviceSpec = fields({
  type: plain,
  ports: listOf(servicePort),
  sessionAffinity: plain,
  sessionAffinityConfig: plain,
  externalTrafficPolicy: plain,
  internalTrafficPolicy: plain,
  publishNotReadyAddresses: plain,
  ipFamilies: plain,
  ipFamilyPolicy: plain,
  loadBalancerSourceRanges: plain,
  // Allocation details and the selector are the operator's: dropped, then set per instance.
  selector: () => undefined,
  clusterIP: () => undefined,
  clusterIPs: () => undefined,
  externalIPs: never(
    'externalIPs are refused: a Service with them intercepts traffic to those addresses (CVE-2020-8554)'
  ),
  externalName: never('ExternalName Services are refused'),
  loadBalancerIP: never('a fixed load-balancer address is refused'),
  loadBalancerClass: never('a load-balancer class is refused'),
  healthCheckNodePort: never('a fixed health-check node port is refused'),
});

interface ServiceTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, any>;
}

/** The Service spec a definition's component becomes (selector, clusterIP and nodePorts are the operator's). */
export function policeService(svc: unknown, path: string, policy: ChildPolicy = DEFAULT_POLICY): ServiceTemplate {
  const s = fields({ metadata: plain, spec: plain })(svc, path, policy) as { metadata?: unknown; spec?: unknown };
  const meta = (s.metadata ?? {}) as Record<string, unknown>;
  if (!isObject(meta)) {
    refuse(`${path}.metadata`, 'must be an object');
  }
  for (const key of Object.keys(meta)) {
    if (key !== 'labels' && key !== 'annotations') {
      refuse(`${path}.metadata.${key}`, NOT_LISTED);
    }
  }
  const spec = serviceSpec(s.spec, `${path}.spec`, policy) as Record<string, any>;
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.has(type)) {
    refuse(
      `${path}.spec.type`,
      `type ${type} is refused (ClusterIP, NodePort${policy.allowLoadBalancer ? ', LoadBalancer' : ''})`
    );
  }
  if (type === 'LoadBalancer' && !policy.allowLoadBalancer) {
    refuse(
      `${path}.spec.type`,
      'LoadBalancer Services are refused unless the operator runs with --allow-load-balancer'
    );
  }
  if (spec.loadBalancerSourceRanges !== undefined && type !== 'LoadBalancer') {
    refuse(`${path}.spec.loadBalancerSourceRanges`, 'only for LoadBalancer Services');
  }
  if (!Array.isArray(spec.ports) || spec.ports.length === 0) {
    refuse(`${path}.spec.ports`, 'at least one port is needed');
  }
  return {
    metadata: {
      labels: metadataMap(meta.labels, `${path}.metadata.labels`),
      annotations: metadataMap(meta.annotations, `${path}.metadata.annotations`),
    },
    spec,
  };
}
