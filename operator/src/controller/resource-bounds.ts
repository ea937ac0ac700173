// The operator's bounds on what one challenge instance may take from the cluster (resource-policy.ts applies them):
// the values of --default-container-limits, --default-container-requests, --max-container-resources,
// --max-empty-dir-memory, --max-replicas and --max-termination-grace-period. The chart passes the same values to
// its LimitRange and admission policy.
import { parseQuantity } from '../api/quantity.ts';
/** CPU and memory as quantities ("500m", "256Mi"); a resource left out has no default / no bound. */
export interface ResourcePair {
  cpu?: string;
  memory?: string;
}

export interface ResourceBounds {
  /** Limits of a container that names none (--default-container-limits). */
  defaultLimits: ResourcePair;
  /** Requests of a container that names none, capped at its limit (--default-container-requests). */
  defaultRequests: ResourcePair;
  /** The most a container may request or be limited to (--max-container-resources). */
  maxContainer: ResourcePair;
  /** The largest sizeLimit of a memory-backed emptyDir (--max-empty-dir-memory). */
  maxEmptyDirMemory: string;
  /** Replicas of a component's Deployment (--max-replicas). */
  maxReplicas: number;
  /** terminationGracePeriodSeconds and preStop sleeps (--max-termination-grace-period, in seconds). */
  maxGraceSeconds: number;
}

export const DEFAULT_BOUNDS: ResourceBounds = {
  defaultLimits: { cpu: '500m', memory: '256Mi' },
  defaultRequests: { cpu: '50m', memory: '64Mi' },
  maxContainer: { cpu: '2', memory: '2Gi' },
  maxEmptyDirMemory: '256Mi',
  maxReplicas: 5,
  maxGraceSeconds: 30,
};

/** "cpu=500m,memory=256Mi" (either may be left out) as a ResourcePair; throws naming the flag. */
export function resourcePair(value: string, flag: string): ResourcePair {
  const out: ResourcePair = {};
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(cpu|memory)=(.+)$/.exec(part);
    if (!m || parseQuantity(m[2]) === undefined || parseQuantity(m[2])! < 0) {
      throw new Error(`--${flag}: "${part}" is not cpu=<quantity> or memory=<quantity>`);
    }
    out[m[1] as keyof ResourcePair] = m[2];
  }
  return out;
}

/** A single quantity flag (--max-empty-dir-memory). */
export function quantityFlag(value: string, flag: string): string {
  const q = parseQuantity(value);
  if (q === undefined || q <= 0) {
    throw new Error(`--${flag}: "${value}" is not a positive quantity (e.g. 256Mi)`);
  }
  return value;
}

/** The bounds from the flags' values (each checked; an error names its flag). */
export function resourceBounds(f: {
  defaultContainerLimits: string;
  defaultContainerRequests: string;
  maxContainerResources: string;
  maxEmptyDirMemory: string;
  maxReplicas: number;
  maxTerminationGracePeriodMs: number;
}): ResourceBounds {
  if (f.maxReplicas < 1) {
    throw new Error('--max-replicas must be at least 1');
  }
  return {
    defaultLimits: resourcePair(f.defaultContainerLimits, 'default-container-limits'),
    defaultRequests: resourcePair(f.defaultContainerRequests, 'default-container-requests'),
    maxContainer: resourcePair(f.maxContainerResources, 'max-container-resources'),
    maxEmptyDirMemory: quantityFlag(f.maxEmptyDirMemory, 'max-empty-dir-memory'),
    maxReplicas: f.maxReplicas,
    maxGraceSeconds: Math.floor(f.maxTerminationGracePeriodMs / 1000),
  };
}
