// The resource rules of the child policy (child-policy.ts): what one instance may take from the cluster. Every
// container gets CPU and memory limits (the operator's defaults when the definition names none) and requests (the
// defaults, capped at the limit), none above --max-container-resources; a memory-backed emptyDir needs a sizeLimit
// of at most --max-empty-dir-memory; replicas are at most --max-replicas; terminationGracePeriodSeconds (pod and
// probes) and a preStop sleep at most --max-termination-grace-period, and a preStop hook that runs code (exec,
// httpGet, tcpSocket) is refused: the kubelet waits for it before it kills the container. The chart's admission
// policy (templates/admission-policy.yaml) and LimitRange (templates/challenge-quota.yaml) hold the same bounds.
import { parseQuantity } from '../api/quantity.ts';
import { fields, isObject, never, plain, refuse, type Check, type ChildPolicy } from './child-policy.ts';

const RESOURCES = ['cpu', 'memory'] as const;

function quantity(v: unknown, path: string): number {
  const q = typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : undefined;
  if (q === undefined || q < 0) {
    refuse(path, `${JSON.stringify(v)} is not a resource quantity`);
  }
  return q;
}

function atMost(v: unknown, max: string | undefined, path: string, what: string): void {
  if (max !== undefined && quantity(v, path) > quantity(max, `bound ${what}`)) {
    refuse(path, `${String(v)} is above the operator's bound ${max} (${what})`);
  }
}

const resourceMap = (value: unknown, path: string): Record<string, unknown> => {
  if (value === undefined || value === null) {
    return {};
  }
  if (!isObject(value)) {
    refuse(path, 'must be a map');
  }
  return structuredClone(value);
};

/** A container's resources as rendered: bounded, with limits (and requests) for CPU and memory always set. */
export function containerResources(raw: unknown, path: string, policy: ChildPolicy): Record<string, unknown> {
  const b = policy.bounds;
  const r = fields({ limits: plain, requests: plain, claims: never('resource claims are refused') })(
    raw ?? {},
    path,
    policy
  ) as Record<string, unknown>;
  const limits = resourceMap(r.limits, `${path}.limits`);
  const requests = resourceMap(r.requests, `${path}.requests`);
  for (const name of RESOURCES) {
    const bound = b.maxContainer[name];
    if (requests[name] !== undefined) {
      atMost(requests[name], bound, `${path}.requests.${name}`, '--max-container-resources');
    }
    if (limits[name] === undefined && b.defaultLimits[name] !== undefined) {
      // The default limit, or the container's own request when that is higher (a limit below it is invalid).
      const req = requests[name];
      const def = b.defaultLimits[name];
      limits[name] = req !== undefined && quantity(req, '') > quantity(def, 'default limit') ? req : def;
    }
    if (limits[name] === undefined) {
      delete limits[name];
      continue;
    }
    atMost(limits[name], bound, `${path}.limits.${name}`, '--max-container-resources');
    if (requests[name] === undefined && b.defaultRequests[name] !== undefined) {
      // The default request, capped at the limit.
      const def = b.defaultRequests[name];
      const limit = limits[name];
      requests[name] = quantity(limit, '') < quantity(def, 'default request') ? limit : def;
    }
  }
  return { ...r, limits, requests };
}

/** terminationGracePeriodSeconds of a pod or a probe. */
export const gracePeriod: Check = (v, path, policy) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > policy.bounds.maxGraceSeconds) {
    refuse(
      path,
      `at most ${policy.bounds.maxGraceSeconds} seconds (--max-termination-grace-period): a pod that ignores SIGTERM holds its resources that long`
    );
  }
  return v;
};

const HOOK_RUNS_CODE =
  'a preStop hook that runs code is refused (the kubelet waits for it on every deletion); use sleep';

/** A preStop hook: only a bounded sleep. */
export const preStop: Check = fields({
  sleep: fields({ seconds: gracePeriod }),
  exec: never(HOOK_RUNS_CODE),
  httpGet: never(HOOK_RUNS_CODE),
  tcpSocket: never(HOOK_RUNS_CODE),
});

/** A volume's emptyDir: a memory-backed one (tmpfs, counted as the pod's memory) needs a bounded sizeLimit. */
export const emptyDir: Check = (v, path, policy) => {
  const e = fields({ medium: plain, sizeLimit: plain })(v, path, policy) as Record<string, unknown>;
  if (e.medium === 'Memory') {
    if (e.sizeLimit === undefined) {
      refuse(
        `${path}.sizeLimit`,
        `a memory-backed emptyDir needs a sizeLimit (at most ${policy.bounds.maxEmptyDirMemory})`
      );
    }
    atMost(e.sizeLimit, policy.bounds.maxEmptyDirMemory, `${path}.sizeLimit`, '--max-empty-dir-memory');
  }
  return e;
};

/** A component's replicas (default 1). */
export function replicas(v: unknown, path: string, policy: ChildPolicy): number {
  const n = v ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > policy.bounds.maxReplicas) {
    refuse(path, `at most ${policy.bounds.maxReplicas} replicas (--max-replicas)`);
  }
  return n;
}
