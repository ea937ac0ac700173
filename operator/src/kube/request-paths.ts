// The manager's three request paths to the apiserver, each its own RestClient (its own connections and limiter),
// as controller-runtime gives leader election a client of its own:
// - controllers and informers: no client-side limit by default (controller-runtime since v0.21: the apiserver's
//   API Priority and Fairness bounds the operator, see the chart's flowcontrol.yaml); --kube-api-qps and
//   --kube-api-burst still put a token bucket in front of it when set. Writes go through the fence (a replica
//   that lost its Lease sends none).
// - leader election: never rate-limited, nothing queued in front of a renewal; a request gives up after the renew
//   deadline (the elector stops leading then anyway).
// - the metrics authorizer's TokenReviews and SubjectAccessReviews: bounded by the authorizer itself (reviews in
//   flight, answered 503 beyond), so a flood of bogus tokens costs neither renewals nor reconciles.
import type { ManagerOptions } from '../manager-options.ts';
import { electionTimes } from './leader-election.ts';
import { rateLimiter } from './rate-limiter.ts';
import { RestClient } from './rest.ts';

export interface RequestPaths {
  rest: RestClient;
  lease: RestClient;
  auth: RestClient;
}

const AGENT = 'hexactf-challenge-operator';
/** A review answers in milliseconds; one that takes longer than this is given up (503, not cached). */
const REVIEW_TIMEOUT_MS = 10_000;

export function requestPaths(opts: ManagerOptions, fence: () => string | undefined): RequestPaths {
  const { kubeConfig: kc, kubeApiQps: qps, kubeApiBurst: burst, leaderElection: election } = opts;
  const renewDeadlineMs = election.renewDeadlineMs || electionTimes(election.leaseDurationMs).renewDeadlineMs;
  return {
    rest: new RestClient(kc, { limiter: rateLimiter(qps, burst), fence, userAgent: AGENT }),
    lease: new RestClient(kc, { userAgent: `${AGENT}/leader-election`, timeoutMs: renewDeadlineMs }),
    auth: new RestClient(kc, { userAgent: `${AGENT}/metrics-auth`, timeoutMs: REVIEW_TIMEOUT_MS }),
  };
}
