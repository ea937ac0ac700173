// Flags of what a definition's children may use: capabilities, RuntimeClasses, LoadBalancer Services. Part of FLAG_SPECS (flags.ts), which keeps their order.
import type { FlagSpec } from './spec.ts';

export const CHILD_POLICY_FLAGS = [
  {
    name: 'allowed-capabilities',
    key: 'allowedCapabilities',
    kind: 'string',
    def: () => '',
    help: "Comma-separated capabilities a definition's container may add (e.g. SYS_ADMIN for nsjail-style jails); such a container may also run as root. Empty = none. Never host namespaces, host paths, privileged or a ServiceAccount.",
  },
  {
    name: 'allowed-runtime-classes',
    key: 'allowedRuntimeClasses',
    kind: 'string',
    def: () => '',
    help: 'Comma-separated RuntimeClasses a definition may name in runtimeClassName (e.g. gvisor). Empty = none.',
  },
  {
    name: 'allow-load-balancer',
    key: 'allowLoadBalancer',
    kind: 'bool',
    def: () => 'false',
    help: 'Let definitions use Service type LoadBalancer (refused by default).',
  },
] as const satisfies readonly FlagSpec[];
