// A small evaluator of Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), because no CNI runs in the test
// environment. It answers "may this connection happen" for endpoints that are pods (namespace, labels, IP) or
// plain IPs outside the cluster, following the API's documented rules:
// - a pod is isolated for ingress (egress) when some policy in its namespace selects it with that policy type;
//   an isolated direction allows only what some selecting policy's rules allow; a non-isolated one allows all;
// - a connection needs the source's egress and the destination's ingress;
// - a peer is an ipBlock (cidr minus except), or podSelector / namespaceSelector / both (podSelector alone means
//   the policy's namespace); ipBlock is matched against pod IPs too, as the common CNIs do;
// - ports: protocol (default TCP), number and endPort; no ports means every port; named ports are not supported
//   (the operator's policies do not use them) and fail loudly.
// Label selectors support matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist).

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicy {
  metadata: { name: string; namespace?: string };
  spec: {
    podSelector: Selector;
    policyTypes?: Array<'Ingress' | 'Egress'>;
    ingress?: Array<{ from?: Peer[]; ports?: PolicyPort[] }>;
    egress?: Array<{ to?: Peer[]; ports?: PolicyPort[] }>;
  };
}

export interface Pod {
  namespace: string;
  labels: Record<string, string>;
  ip: string;
}

/** A pod, or an address outside the cluster. */
export type Endpoint = Pod | { ip: string };

export interface World {
  policies: NetworkPolicy[];
  namespaceLabels: Record<string, Record<string, string>>;
}

const isPod = (e: Endpoint): e is Pod => 'namespace' in e;

export function selects(sel: Selector | undefined, labels: Record<string, string>): boolean {
  if (!sel) {
    return true;
  }
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (labels[k] !== v) {
      return false;
    }
  }
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const ok =
      e.operator === 'In'
        ? has && (e.values ?? []).includes(labels[e.key])
        : e.operator === 'NotIn'
          ? !has || !(e.values ?? []).includes(labels[e.key])
          : e.operator === 'Exists'
            ? has
            : !has;
    if (!ok) {
      return false;
    }
  }
  return true;
}

/** IPv4 or IPv6 address as a bigint, with its width in bits. */
function parseIp(ip: string): { value: bigint; bits: number } {
  if (ip.includes(':')) {
    const [head, tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    if (groups.length !== 8) {
      throw new Error(`bad IPv6 address ${ip}`);
    }
    return { value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n), bits: 128 };
  }
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) {
    throw new Error(`bad IPv4 address ${ip}`);
  }
  return { value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n), bits: 32 };
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/');
  const a = parseIp(ip);
  const b = parseIp(base);
  if (a.bits !== b.bits) {
    return false;
  }
  const shift = BigInt(a.bits - Number(len));
  return a.value >> shift === b.value >> shift;
}

function peerMatches(peer: Peer, policyNs: string, other: Endpoint, world: World): boolean {
  if (peer.ipBlock) {
    return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e) => inCidr(other.ip, e));
  }
  if (!isPod(other)) {
    return false;
  } // pod/namespace selectors only ever match pods
  const nsOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, world.namespaceLabels[other.namespace] ?? {})
    : other.namespace === policyNs;
  return nsOk && selects(peer.podSelector, other.labels);
}

function portMatches(ports: PolicyPort[] | undefined, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) {
    return true;
  }
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) {
      return false;
    }
    if (p.port === undefined) {
      return true;
    }
    if (typeof p.port === 'string') {
      throw new Error(`named port ${p.port} is not supported by this evaluator`);
    }
    return p.endPort === undefined ? p.port === port : port >= p.port && port <= p.endPort;
  });
}

const typesOf = (p: NetworkPolicy) => p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);

function directionAllows(
  world: World,
  pod: Pod,
  dir: 'Ingress' | 'Egress',
  other: Endpoint,
  port: number,
  protocol: string
): boolean {
  const selecting = world.policies.filter(
    (p) =>
      (p.metadata.namespace ?? 'default') === pod.namespace &&
      typesOf(p).includes(dir) &&
      selects(p.spec.podSelector, pod.labels)
  );
  if (selecting.length === 0) {
    return true;
  }
  return selecting.some((p) => {
    const rules =
      dir === 'Ingress'
        ? (p.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
        : (p.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
    return rules.some(
      (r) =>
        portMatches(r.ports, port, protocol) &&
        (!r.peers ||
          r.peers.length === 0 ||
          r.peers.some((peer) => peerMatches(peer, p.metadata.namespace ?? 'default', other, world)))
    );
  });
}

/** May `from` open a connection to `to` on port/protocol? */
export function allowed(world: World, from: Endpoint, to: Endpoint, port: number, protocol = 'TCP'): boolean {
  const egressOk = !isPod(from) || directionAllows(world, from, 'Egress', to, port, protocol);
  const ingressOk = !isPod(to) || directionAllows(world, to, 'Ingress', from, port, protocol);
  return egressOk && ingressOk;
}
