// /metrics behind authentication, like controller-runtime's secure metrics: the bearer token is checked with a
// TokenReview, the user it names with a SubjectAccessReview for `get` on the non-resource URL /metrics. The
// series name every player and what they have open, so nobody without that grant reads them.
// Verdicts are cached for a short while per token hash, so a scrape every few seconds costs no apiserver calls.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../clock.ts';

export interface Verdict {
  status: 200 | 401 | 403;
  reason: string;
}

export interface MetricsAuthOptions {
  clock: Clock;
  /** How long a verdict is reused (default 10 s). */
  cacheMs?: number;
}

export class MetricsAuthorizer {
  private readonly authn: AuthenticationV1Api;
  private readonly authz: AuthorizationV1Api;
  private readonly clock: Clock;
  private readonly cacheMs: number;
  private readonly cache = new Map<string, { verdict: Promise<Verdict>; until: number }>();

  constructor(kc: KubeConfig, opts: MetricsAuthOptions) {
    this.authn = kc.makeApiClient(AuthenticationV1Api);
    this.authz = kc.makeApiClient(AuthorizationV1Api);
    this.clock = opts.clock;
    this.cacheMs = opts.cacheMs ?? 10_000;
  }

  async check(req: IncomingMessage): Promise<Verdict> {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return { status: 401, reason: 'a bearer token is required' };
    const key = createHash('sha256').update(m[1]).digest('hex');
    const now = this.clock.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.verdict;
    if (this.cache.size > 1000) for (const [k, v] of this.cache) if (v.until <= now) this.cache.delete(k);
    // Concurrent requests with one token share one review.
    const verdict = this.review(m[1]);
    this.cache.set(key, { verdict, until: now + this.cacheMs });
    verdict.catch(() => this.cache.delete(key)); // an apiserver failure is not remembered
    return verdict;
  }

  private async review(token: string): Promise<Verdict> {
    const tr = await this.authn.createTokenReview({ body: { spec: { token } } });
    if (!tr.status?.authenticated || !tr.status.user?.username) return { status: 401, reason: 'the token is not valid' };
    const user = tr.status.user;
    const sar = await this.authz.createSubjectAccessReview({
      body: {
        spec: {
          user: user.username, uid: user.uid, groups: user.groups, extra: user.extra as Record<string, string[]> | undefined,
          nonResourceAttributes: { path: '/metrics', verb: 'get' },
        },
      },
    });
    return sar.status?.allowed
      ? { status: 200, reason: 'allowed' }
      : { status: 403, reason: `${user.username} may not get /metrics` };
  }
}
