// /metrics behind authentication, like controller-runtime's secure metrics: the bearer token is checked with a
// TokenReview, the user it names with a SubjectAccessReview for `get` on the non-resource URL /metrics. The
// series name every player and what they have open, so nobody without that grant reads them.
// The reviews are the one thing an unauthenticated caller can make the operator send, so they are bounded:
// - their own API client (the manager's), so they never wait behind reconcile writes nor delay Lease renewals;
// - at most maxInFlight reviews at once; a request that would need one more is answered 503 with Retry-After at
//   once, never queued;
// - verdicts cached per token hash: allowed for positiveTtl (1 min, as controller-runtime's authentication
//   cache), refused for negativeTtl (10 s), each cache size-bounded. Concurrent requests with one token share
//   one review. An apiserver failure is not remembered (503).
import type { IncomingMessage } from 'node:http';
import type { RestClient } from '../kube/rest.ts';
import type { Clock } from '../clock.ts';
import { VerdictCache } from './verdict-cache.ts';

const { createHash } = process.getBuiltinModule('node:crypto');

export interface Verdict {
  status: 200 | 401 | 403 | 503;
  reason: string;
  /** Seconds, with 503. */
  retryAfter?: number;
}

export interface MetricsAuthLimits {
  /** Reviews in flight at most (a TokenReview, then a SubjectAccessReview, count as one). */
  maxInFlight: number;
  positiveTtlMs: number;
  negativeTtlMs: number;
  /** Entries per cache. */
  cacheSize: number;
}

export const DEFAULT_AUTH_LIMITS: MetricsAuthLimits = {
  maxInFlight: 8,
  positiveTtlMs: 60_000,
  negativeTtlMs: 10_000,
  cacheSize: 1024,
};

interface MetricsAuthOptions extends Partial<MetricsAuthLimits> {
  clock: Clock;
}

export class MetricsAuthorizer {
  private readonly rest: RestClient;
  private readonly clock: Clock;
  private readonly limits: MetricsAuthLimits;
  private readonly allowed: VerdictCache<Verdict>;
  private readonly refused: VerdictCache<Verdict>;
  private readonly pending = new Map<string, Promise<Verdict>>();
  /** Counters for tests and the benchmark. */
  readonly stats = { reviews: 0, busy: 0, cached: 0 };

  constructor(rest: RestClient, opts: MetricsAuthOptions) {
    this.rest = rest;
    this.clock = opts.clock;
    const { clock: _, ...given } = opts;
    this.limits = {
      ...DEFAULT_AUTH_LIMITS,
      ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
    };
    this.allowed = new VerdictCache(this.limits.positiveTtlMs, this.limits.cacheSize);
    this.refused = new VerdictCache(this.limits.negativeTtlMs, this.limits.cacheSize);
  }

  async check(req: IncomingMessage): Promise<Verdict> {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      return { status: 401, reason: 'a bearer token is required' };
    }
    const key = createHash('sha256').update(m[1]).digest('hex');
    const now = this.clock.now();
    const known = this.allowed.get(key, now) ?? this.refused.get(key, now);
    if (known) {
      this.stats.cached++;
      return known;
    }
    const shared = this.pending.get(key);
    if (shared) {
      return shared;
    }
    if (this.pending.size >= this.limits.maxInFlight) {
      this.stats.busy++;
      return { status: 503, reason: 'too many token reviews in flight; retry later', retryAfter: 1 };
    }
    this.stats.reviews++;
    const verdict = this.review(m[1]).then(
      (v) => {
        (v.status === 200 ? this.allowed : this.refused).set(key, v, this.clock.now());
        return v;
      },
      (err: Error): Verdict => ({ status: 503, reason: `could not review the token: ${err.message}`, retryAfter: 1 })
    );
    this.pending.set(key, verdict);
    void verdict.finally(() => this.pending.delete(key));
    return verdict;
  }

  private async review(token: string): Promise<Verdict> {
    const tr = await this.rest.request<{
      status?: {
        authenticated?: boolean;
        user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
      };
    }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    });
    if (!tr.status?.authenticated || !tr.status.user?.username) {
      return { status: 401, reason: 'the token is not valid' };
    }
    const user = tr.status.user;
    const sar = await this.rest.request<{ status?: { allowed?: boolean } }>(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      {
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: user.username,
            uid: user.uid,
            groups: user.groups,
            extra: user.extra,
            nonResourceAttributes: { path: '/metrics', verb: 'get' },
          },
        },
      }
    );
    return sar.status?.allowed
      ? { status: 200, reason: 'allowed' }
      : { status: 403, reason: `${user.username} may not get /metrics` };
  }
}
