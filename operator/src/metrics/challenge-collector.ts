// challenge_resource_status (DESIGN.md §1) and the additive challenge_info / challenge_definition_requests,
// rendered at scrape time straight from the informer caches plus tombstones of deleted Challenges. Nothing is
// stored per series, so a restarted operator renders the same series from a fresh list.
import {
  LABEL_CHALLENGE_ID, LABEL_USER, STATE_VALUE, objectKey,
  type Challenge, type ChallengeDefinition, type State,
} from '../api/types.ts';
import type { Clock } from '../clock.ts';
import { parseQuantity } from '../controller/quantity.ts';
import { formatValue, header, labelSet } from './exposition.ts';

export const STATUS_METRIC = 'challenge_resource_status';
export const STATUS_LABELS = ['challenge_id', 'challenge_name', 'username', 'namespace'] as const;
const INFO_LABELS = ['challenge_id', 'challenge_name', 'username', 'namespace', 'definition', 'category'] as const;
const REQUEST_LABELS = ['namespace', 'definition', 'category', 'resource'] as const;

export interface ChallengeSource {
  challenges(): Iterable<Challenge>;
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
      s = labelSet(STATUS_LABELS, [l[LABEL_CHALLENGE_ID] ?? '', ch.metadata.name, l[LABEL_USER] ?? '', ch.metadata.namespace ?? '']);
      this.labelCache.set(ch, s);
    }
    return s;
  }

  render(): string {
    const now = this.clock.now();
    this.prune(now);
    const parts: string[] = [header(STATUS_METRIC, 'State of each Challenge: 0 Pending, 1 Running, 2 Deleted, 3 Error.', 'gauge')];
    const live = new Set<string>();
    const info: string[] = [];
    for (const ch of this.source.challenges()) {
      const key = objectKey(ch);
      live.add(key);
      parts.push(STATUS_METRIC + this.statusLabels(ch) + ' ' + stateValue(ch) + '\n');
      if (!ch.metadata.deletionTimestamp) {
        const l = ch.metadata.labels ?? {};
        const def = this.source.definition(ch.metadata.namespace ?? '', ch.spec?.definition ?? '');
        info.push('challenge_info' + labelSet(INFO_LABELS, [l[LABEL_CHALLENGE_ID] ?? '', ch.metadata.name, l[LABEL_USER] ?? '', ch.metadata.namespace ?? '', ch.spec?.definition ?? '', def?.spec?.category ?? '']) + ' 1\n');
      }
    }
    for (const [key, t] of this.tombstones) if (!live.has(key)) parts.push(STATUS_METRIC + t.labels + ' 2\n');

    parts.push(header('challenge_info', 'One series per live Challenge with its definition and category.', 'gauge'));
    for (const line of info) parts.push(line);

    parts.push(header('challenge_definition_requests', 'Resources one instance of a definition requests (all components and replicas): cpu in cores, memory in bytes.', 'gauge'));
    for (const def of this.source.definitions()) {
      const { cpu, memory } = definitionRequests(def);
      const base = [def.metadata.namespace ?? '', def.metadata.name, def.spec?.category ?? ''];
      parts.push('challenge_definition_requests' + labelSet(REQUEST_LABELS, [...base, 'cpu']) + ' ' + formatValue(cpu) + '\n');
      parts.push('challenge_definition_requests' + labelSet(REQUEST_LABELS, [...base, 'memory']) + ' ' + formatValue(memory) + '\n');
    }
    return parts.join('');
  }
}

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
