// /metrics behind authentication, like controller-runtime's secure metrics: the bearer token is checked with a
// TokenReview, the user it names with a SubjectAccessReview for `get` on the non-resource URL /metrics. The
// series name every player and what they have open, so nobody without that grant reads them.
// Verdicts are cached for a short while per token hash, so a scrape every few seconds costs no apiserver calls.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RestClient } from '../kube/rest.ts';
import type { Clock } from '../clock.ts';

interface Verdict {
  status: 200 | 401 | 403;
  reason: string;
}

interface MetricsAuthOptions {
  clock: Clock;
  /** How long a verdict is reused (default 10 s). */
  cacheMs?: number;
}

export class MetricsAuthorizer {
  private readonly rest: RestClient;
  private readonly clock: Clock;
  private readonly cacheMs: number;
  private readonly cache = new Map<string, { verdict: Promise<Verdict>; until: number }>();

  constructor(rest: RestClient, opts: MetricsAuthOptions) {
    this.rest = rest;
    this.clock = opts.clock;
    this.cacheMs = opts.cacheMs ?? 10_000;
  }

  async check(req: IncomingMessage): Promise<Verdict> {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      return { status: 401, reason: 'a bearer token is required' };
    }
    const key = createHash('sha256').update(m[1]).digest('hex');
    const now = this.clock.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) {
      return hit.verdict;
    }
    if (this.cache.size > 1000) {
      for (const [k, v] of this.cache) {
        if (v.until <= now) {
          this.cache.delete(k);
        }
      }
    }
    // Concurrent requests with one token share one review.
    const verdict = this.review(m[1]);
    this.cache.set(key, { verdict, until: now + this.cacheMs });
    verdict.catch(() => this.cache.delete(key)); // an apiserver failure is not remembered
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
