// challenge_resource_status (DESIGN.md §1) and the additive challenge_info / challenge_definition_requests,
// rendered at scrape time straight from the informer caches plus tombstones of deleted Challenges. Nothing is
// stored per series, so a restarted operator renders the same series from a fresh list.
import {
  LABEL_CHALLENGE_ID, LABEL_USER, STATE_VALUE, objectKey,
  type Challenge, type ChallengeDefinition, type State,
} from '../api/types.ts';
import type { Clock } from '../clock.ts';
import { parseQuantity } from '../controller/quantity.ts';
import { escapeLabelValue, formatValue, header, labelSet } from './exposition.ts';

export const STATUS_METRIC = 'challenge_resource_status';
export const STATUS_LABELS = ['challenge_id', 'challenge_name', 'username', 'namespace'] as const;
const REQUEST_LABELS = ['namespace', 'definition', 'category', 'resource'] as const;

export interface ChallengeSource {
  challenges(): Iterable<Challenge>;
  get(key: string): Challenge | undefined;
  definition(namespace: string, name: string): ChallengeDefinition | undefined;
  definitions(): Iterable<ChallengeDefinition>;
}

interface Tombstone {
  labels: string; // rendered label set
  deletedAt: number;
}

export function stateValue(ch: Challenge): number {
  if (ch.metadata.deletionTimestamp) return STATE_VALUE.Deleted;
  const s = ch.status?.currentStatus?.state as State | undefined;
  return s && s in STATE_VALUE ? STATE_VALUE[s] : STATE_VALUE.Pending;
}

export class ChallengeCollector {
  private readonly source: ChallengeSource;
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private readonly tombstones = new Map<string, Tombstone>();
  // Label sets per cached object; informer updates replace objects, so identity is a safe cache key.
  private readonly labelCache = new WeakMap<Challenge, string>();
  private readonly infoCache = new WeakMap<Challenge, { category: string; labels: string }>();

  constructor(source: ChallengeSource, clock: Clock, retentionMs: number) {
    this.source = source;
    this.clock = clock;
    this.retentionMs = retentionMs;
  }

  /** Called when a Challenge leaves the cache: it stays exported as Deleted for the retention window. */
  onDeleted(ch: Challenge): void {
    this.tombstones.set(objectKey(ch), { labels: this.statusLabels(ch), deletedAt: this.clock.now() });
    if (this.tombstones.size % 1024 === 0) this.prune(this.clock.now());
  }

  tombstoneCount(): number {
    return this.tombstones.size;
  }

  private prune(now: number): void {
    for (const [k, t] of this.tombstones) if (now - t.deletedAt >= this.retentionMs) this.tombstones.delete(k);
  }

  private statusLabels(ch: Challenge): string {
    let s = this.labelCache.get(ch);
    if (s === undefined) {
      const l = ch.metadata.labels ?? {};
      // A fixed template is several times faster than a generic loop (this runs once per object version).
      s = `{challenge_id="${escapeLabelValue(l[LABEL_CHALLENGE_ID] ?? '')}",challenge_name="${escapeLabelValue(ch.metadata.name)}",username="${escapeLabelValue(l[LABEL_USER] ?? '')}",namespace="${escapeLabelValue(ch.metadata.namespace ?? '')}"}`;
      this.labelCache.set(ch, s);
    }
    return s;
  }

  private infoLabels(ch: Challenge): string {
    const def = this.source.definition(ch.metadata.namespace ?? '', ch.spec?.definition ?? '');
    const category = def?.spec?.category ?? '';
    const cached = this.infoCache.get(ch);
    if (cached && cached.category === category) return cached.labels;
    const l = ch.metadata.labels ?? {};
    const labels = `${this.statusLabels(ch).slice(0, -1)},definition="${escapeLabelValue(ch.spec?.definition ?? '')}",category="${escapeLabelValue(category)}"}`;
    this.infoCache.set(ch, { category, labels });
    return labels;
  }

  render(): string {
    const now = this.clock.now();
    this.prune(now);
    // Plain string appends: V8 builds a rope, far cheaper than an array of 100k lines plus join.
    let status = header(STATUS_METRIC, 'State of each Challenge: 0 Pending, 1 Running, 2 Deleted, 3 Error.', 'gauge');
    let info = header('challenge_info', 'One series per live Challenge with its definition and category.', 'gauge');
    for (const ch of this.source.challenges()) {
      const deleting = !!ch.metadata.deletionTimestamp;
      status += STATUS_METRIC + this.statusLabels(ch) + (deleting ? ' 2\n' : VALUE_SUFFIX[stateValue(ch)]);
      if (!deleting) info += 'challenge_info' + this.infoLabels(ch) + ' 1\n';
    }
    for (const [key, t] of this.tombstones) if (!this.source.get(key)) status += STATUS_METRIC + t.labels + ' 2\n';

    let requests = header('challenge_definition_requests', 'Resources one instance of a definition requests (all components and replicas): cpu in cores, memory in bytes.', 'gauge');
    for (const def of this.source.definitions()) {
      const { cpu, memory } = definitionRequests(def);
      const base = [def.metadata.namespace ?? '', def.metadata.name, def.spec?.category ?? ''];
      requests += 'challenge_definition_requests' + labelSet(REQUEST_LABELS, [...base, 'cpu']) + ' ' + formatValue(cpu) + '\n';
      requests += 'challenge_definition_requests' + labelSet(REQUEST_LABELS, [...base, 'memory']) + ' ' + formatValue(memory) + '\n';
    }
    return status + info + requests;
  }
}

const VALUE_SUFFIX = [' 0\n', ' 1\n', ' 2\n', ' 3\n'];

/** Requests of one instance; a container with limits but no requests is counted at its limits (as Kubernetes defaults it). */
export function definitionRequests(def: ChallengeDefinition): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const comp of def.spec?.components ?? []) {
    const replicas = comp.deployment?.spec?.replicas ?? 1;
    const spec = comp.deployment?.spec?.template?.spec;
    for (const c of spec?.containers ?? []) {
      const req = c.resources?.requests ?? {};
      const lim = c.resources?.limits ?? {};
      cpu += replicas * (parseQuantity(req.cpu ?? lim.cpu) ?? 0);
      memory += replicas * (parseQuantity(req.memory ?? lim.memory) ?? 0);
    }
  }
  return { cpu: Math.round(cpu * 1e6) / 1e6, memory: Math.round(memory) };
}
