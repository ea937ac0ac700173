// Flags of the resource bounds of a definition's containers (defaults and maxima). Part of FLAG_SPECS (flags.ts), which keeps their order.
import { DEFAULT_BOUNDS, type ResourcePair } from '../controller/resource-bounds.ts';
import type { FlagSpec } from './spec.ts';

const pairText = (p: ResourcePair) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export const RESOURCE_BOUNDS_FLAGS = [
  {
    name: 'default-container-limits',
    key: 'defaultContainerLimits',
    kind: 'string',
    def: () => pairText(DEFAULT_BOUNDS.defaultLimits),
    help: "CPU and memory limits of a definition's container that names none, as cpu=<q>,memory=<q>.",
  },
  {
    name: 'default-container-requests',
    key: 'defaultContainerRequests',
    kind: 'string',
    def: () => pairText(DEFAULT_BOUNDS.defaultRequests),
    help: "CPU and memory requests of a definition's container that names none (capped at its limit), as cpu=<q>,memory=<q>.",
  },
  {
    name: 'max-container-resources',
    key: 'maxContainerResources',
    kind: 'string',
    def: () => pairText(DEFAULT_BOUNDS.maxContainer),
    help: "The most a definition's container may request or be limited to, as cpu=<q>,memory=<q>; above it the definition is refused.",
  },
  {
    name: 'max-empty-dir-memory',
    key: 'maxEmptyDirMemory',
    kind: 'string',
    def: () => DEFAULT_BOUNDS.maxEmptyDirMemory,
    help: 'The largest sizeLimit of a memory-backed emptyDir (one without a sizeLimit is refused).',
  },
  {
    name: 'max-replicas',
    key: 'maxReplicas',
    kind: 'int',
    def: () => String(DEFAULT_BOUNDS.maxReplicas),
    help: "Replicas of a definition's component at most.",
  },
  {
    name: 'max-termination-grace-period',
    key: 'maxTerminationGracePeriodMs',
    kind: 'duration',
    def: () => `${DEFAULT_BOUNDS.maxGraceSeconds}s`,
    help: 'terminationGracePeriodSeconds (pod, probes) and a preStop sleep at most; a preStop hook that runs code is refused.',
  },
] as const satisfies readonly FlagSpec[];
