// Flags of the Kubernetes API client: kubeconfig and client-side rate limit. Part of FLAG_SPECS (flags.ts), which keeps their order.
import type { FlagSpec } from './spec.ts';

export const API_CLIENT_FLAGS = [
  {
    name: 'kubeconfig',
    key: 'kubeconfig',
    kind: 'string',
    def: (env) => env.KUBECONFIG || '',
    help: 'Path to a kubeconfig (default: $KUBECONFIG, else the in-cluster service account).',
  },
  {
    name: 'kube-api-qps',
    key: 'kubeApiQps',
    kind: 'float',
    def: () => '-1',
    help: "Requests per second of the controllers' and informers' client, sustained (a client-side token bucket; negative = no client-side limit, the default: the apiserver's API Priority and Fairness bounds the operator, see the chart's flowControl). Lease renewals and metrics token reviews have clients of their own and never wait for it.",
  },
  {
    name: 'kube-api-burst',
    key: 'kubeApiBurst',
    kind: 'int',
    def: () => '30',
    help: 'Requests the controllers may send at once above --kube-api-qps before they wait (the bucket size; only with a positive --kube-api-qps).',
  },
] as const satisfies readonly FlagSpec[];
