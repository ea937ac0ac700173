// The NetworkPolicy that isolates one instance (all pods of one Challenge, selected by its owner-uid label).
// Players get a shell in their instance by design, so it may talk to its own pods and the internet, and be reached
// from outside the cluster; not to other instances, the cluster's pod and service ranges, the apiserver, the
// nodes or cloud metadata (169.254.169.254). Which ranges count as "inside" is an operator setting.

export interface NetworkIsolation {
  /** Render the NetworkPolicy child at all (--network-policy). */
  enabled: boolean;
  /** Ranges an instance may neither reach nor be reached from (pod, service, node ranges, metadata). */
  internalCidrs: readonly string[];
  /** Exceptions an instance may reach (e.g. a shared challenge backend); --egress-allow-cidrs. */
  egressAllowCidrs: readonly string[];
  /** Extra ingress sources inside the internal ranges (nodes when NodePort traffic is SNATed, the ingress controller). */
  ingressAllowCidrs: readonly string[];
  /** Allow DNS to kube-system's kube-dns pods. */
  allowDns: boolean;
}

/** Private, shared-address, link-local (cloud metadata) and unique-local ranges: "the cluster" unless told otherwise. */
export const DEFAULT_INTERNAL_CIDRS = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '169.254.0.0/16',
  '127.0.0.0/8',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
];

export const DEFAULT_ISOLATION: NetworkIsolation = {
  enabled: true,
  internalCidrs: DEFAULT_INTERNAL_CIDRS,
  egressAllowCidrs: [],
  ingressAllowCidrs: [],
  allowDns: true,
};

const isV6 = (cidr: string) => cidr.includes(':');

/** Everything outside the internal ranges, as one ipBlock per address family. */
function outside(internal: readonly string[]): Array<{ ipBlock: { cidr: string; except?: string[] } }> {
  return (['0.0.0.0/0', '::/0'] as const).map((all) => {
    const except = internal.filter((c) => isV6(c) === isV6(all));
    return { ipBlock: except.length ? { cidr: all, except } : { cidr: all } };
  });
}

export function networkPolicySpec(ownerUidLabel: string, uid: string, iso: NetworkIsolation): Record<string, unknown> {
  const self = { podSelector: { matchLabels: { [ownerUidLabel]: uid } } };
  const egress: Array<Record<string, unknown>> = [{ to: [self] }, { to: outside(iso.internalCidrs) }];
  if (iso.allowDns) {
    egress.push({
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    });
  }
  if (iso.egressAllowCidrs.length) {
    egress.push({ to: iso.egressAllowCidrs.map((cidr) => ({ ipBlock: { cidr } })) });
  }
  const from = [...outside(iso.internalCidrs), ...iso.ingressAllowCidrs.map((cidr) => ({ ipBlock: { cidr } }))];
  return {
    podSelector: self.podSelector,
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [self] }, { from }],
    egress,
  };
}

/** Checks a CIDR list flag: "a.b.c.d/n" or an IPv6 prefix. */
export function cidrList(value: string, flag: string): string[] {
  const out = value
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const c of out) {
    const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(c);
    const max = m && isV6(m[1]) ? 128 : 32;
    const v4ok =
      m && !isV6(m[1])
        ? m[1].split('.').length === 4 && m[1].split('.').every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)
        : true;
    if (!m || Number(m[2]) > max || !v4ok) {
      throw new Error(`--${flag}: "${c}" is not a CIDR (e.g. 10.0.0.0/8)`);
    }
  }
  return out;
}
