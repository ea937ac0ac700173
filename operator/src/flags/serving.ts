// Flags of the HTTP endpoints: /metrics (and its secure mode) and the health probes. Part of FLAG_SPECS (flags.ts), which keeps their order.
import type { FlagSpec } from './spec.ts';

export const SERVING_FLAGS = [
  {
    name: 'metrics-bind-address',
    key: 'metricsBindAddress',
    kind: 'string',
    def: () => ':8080',
    help: 'Address the /metrics endpoint binds to ("0" disables it, ":0" picks a free port).',
  },
  {
    name: 'metrics-secure',
    key: 'metricsSecure',
    kind: 'bool',
    def: () => 'false',
    help: "Serve /metrics over HTTPS to callers whose bearer token passes a TokenReview and a SubjectAccessReview for get on /metrics (as controller-runtime's secure metrics).",
  },
  {
    name: 'metrics-cert-dir',
    key: 'metricsCertDir',
    kind: 'string',
    def: () => '',
    help: 'Directory with tls.crt and tls.key for --metrics-secure ("" = a self-signed certificate made at start).',
  },
  {
    name: 'metrics-auth-max-inflight',
    key: 'metricsAuthMaxInflight',
    kind: 'int',
    def: () => '8',
    help: 'With --metrics-secure: token reviews (TokenReview + SubjectAccessReview) in flight at most; a request needing one more is answered 503 with Retry-After at once.',
  },
  {
    name: 'metrics-auth-cache-ttl',
    key: 'metricsAuthCacheTtlMs',
    kind: 'duration',
    def: () => '1m',
    help: 'With --metrics-secure: how long an allowed token is served without a new review (0 = review every request).',
  },
  {
    name: 'metrics-auth-negative-cache-ttl',
    key: 'metricsAuthNegativeCacheTtlMs',
    kind: 'duration',
    def: () => '10s',
    help: 'With --metrics-secure: how long a refused token (401, 403) is answered from memory (0 = review every request).',
  },
  {
    name: 'metrics-auth-cache-size',
    key: 'metricsAuthCacheSize',
    kind: 'int',
    def: () => '1024',
    help: 'With --metrics-secure: entries in each of the two caches of verdicts (by token hash), the oldest dropped first.',
  },
  {
    name: 'health-probe-bind-address',
    key: 'healthProbeBindAddress',
    kind: 'string',
    def: () => ':8081',
    help: 'Address of /healthz and /readyz ("0" disables it).',
  },
] as const satisfies readonly FlagSpec[];
