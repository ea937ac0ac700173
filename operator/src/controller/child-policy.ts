// What a ChallengeDefinition may put into the pods and Services the operator creates, and how it is checked.
// Challenge authors are not trusted with the cluster: children are rebuilt from an allowlist of fields (anything
// else is refused with the field's path). This file holds the operator's opt-ins (ChildPolicy) and the allowlist's
// building blocks; the rules themselves are in pod-policy.ts and service-policy.ts.

import { DEFAULT_BOUNDS, type ResourceBounds } from './resource-bounds.ts';

export interface ChildPolicy {
  /** Service type LoadBalancer (and its source ranges) may be used; --allow-load-balancer. */
  allowLoadBalancer: boolean;
  /** Capabilities a container may add (upper case, no CAP_ prefix); --allowed-capabilities. */
  allowedCapabilities: readonly string[];
  /** RuntimeClasses a pod may name in runtimeClassName (e.g. gvisor); --allowed-runtime-classes. Empty = none. */
  allowedRuntimeClasses: readonly string[];
  /** What one instance may take from the cluster (resource-policy.ts). */
  bounds: ResourceBounds;
}

export const DEFAULT_POLICY: ChildPolicy = {
  allowLoadBalancer: false,
  allowedCapabilities: [],
  allowedRuntimeClasses: [],
  bounds: DEFAULT_BOUNDS,
};

/** A definition the operator will not render; `field` is the path of the offending field. */
export class DefinitionRefused extends Error {
  readonly field: string;
  constructor(field: string, why: string) {
    super(`${field}: ${why}`);
    this.field = field;
  }
}

export function refuse(path: string, why: string): never {
  throw new DefinitionRefused(path, why);
}

export type Check = (value: unknown, path: string, policy: ChildPolicy) => unknown;

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const NOT_LISTED = 'is not on the allowlist of fields a challenge definition may set';

/** An object whose keys must all be listed; values are checked one by one. */
export function fields(allowed: Record<string, Check>): Check {
  return (value, path, policy) => {
    if (!isObject(value)) {
      refuse(path, 'must be an object');
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const check = Object.hasOwn(allowed, key) ? allowed[key] : undefined;
      if (!check) {
        refuse(`${path}.${key}`, NOT_LISTED);
      }
      if (v === undefined || v === null) {
        continue;
      }
      const checked = check(v, `${path}.${key}`, policy);
      if (checked !== undefined) {
        out[key] = checked;
      }
    }
    return out;
  };
}

export function listOf(item: Check): Check {
  return (value, path, policy) => {
    if (!Array.isArray(value)) {
      refuse(path, 'must be a list');
    }
    return value.map((v, i) => item(v, `${path}[${i}]`, policy));
  };
}

/** A value with no security meaning; its shape is left to the apiserver's own validation. */
export const plain: Check = (v) => structuredClone(v);

export function never(why: string): Check {
  return (_v, path) => refuse(path, why);
}

/** Allowed only with this one value (e.g. hostNetwork: false). */
export function onlyValue(allowed: unknown, why: string): Check {
  return (v, path) => (v === allowed ? v : refuse(path, why));
}

/** Label and annotation keys of Kubernetes' own domains (AppArmor, seccomp, topology...) and of this operator. */
function reservedKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) {
    return false;
  }
  const domain = key.slice(0, slash);
  return /(^|\.)(kubernetes\.io|k8s\.io|hexactf\.io)$/.test(domain);
}

/** A labels or annotations map of a definition: the keys of the cluster and the operator are refused. */
export function metadataMap(value: unknown, path: string): Record<string, string> {
  if (value === undefined || value === null) {
    return {};
  }
  if (!isObject(value)) {
    refuse(path, 'must be a map');
  }
  for (const key of Object.keys(value)) {
    if (reservedKey(key)) {
      refuse(
        `${path}[${key}]`,
        "keys of the kubernetes.io, k8s.io and hexactf.io domains are the cluster's and the operator's"
      );
    }
  }
  return structuredClone(value) as Record<string, string>;
}
