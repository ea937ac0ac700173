// Flags of the NetworkPolicy given to every instance. Part of FLAG_SPECS (flags.ts), which keeps their order.
import { DEFAULT_INTERNAL_CIDRS } from '../controller/network-policy.ts';
import type { FlagSpec } from './spec.ts';

export const NETWORK_FLAGS = [
  {
    name: 'network-policy',
    key: 'networkPolicy',
    kind: 'bool',
    def: () => 'true',
    help: 'Give every instance a NetworkPolicy: its own pods, DNS and the internet; not other instances, --internal-cidrs, the apiserver or cloud metadata.',
  },
  {
    name: 'internal-cidrs',
    key: 'internalCidrs',
    kind: 'string',
    def: () => DEFAULT_INTERNAL_CIDRS.join(','),
    help: "Ranges an instance may neither reach nor be reached from: the cluster's pod, service and node ranges and cloud metadata (default: private, shared, link-local and loopback ranges).",
  },
  {
    name: 'egress-allow-cidrs',
    key: 'egressAllowCidrs',
    kind: 'string',
    def: () => '',
    help: 'Comma-separated ranges inside --internal-cidrs that instances may still reach (what a challenge needs).',
  },
  {
    name: 'ingress-allow-cidrs',
    key: 'ingressAllowCidrs',
    kind: 'string',
    def: () => '',
    help: 'Comma-separated ranges inside --internal-cidrs that may reach instances (the nodes when NodePort traffic is SNATed, an ingress controller).',
  },
] as const satisfies readonly FlagSpec[];
